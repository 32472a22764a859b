//! Job artifacts: the files a job uploads (its archive, its reports), their types and formats,
//! how long they are kept, and their SHA-256 digest.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use crate::JobId;
use crate::ci::parse_duration;

/// How an artifact's bytes are packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArtifactFormat {
    Raw,
    Zip,
    Gzip,
}

impl ArtifactFormat {
    pub const ALL: [ArtifactFormat; 3] = [
        ArtifactFormat::Raw,
        ArtifactFormat::Zip,
        ArtifactFormat::Gzip,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ArtifactFormat::Raw => "raw",
            ArtifactFormat::Zip => "zip",
            ArtifactFormat::Gzip => "gzip",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text)
    }

    /// The media type a download is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            ArtifactFormat::Zip => "application/zip",
            ArtifactFormat::Gzip => "application/gzip",
            ArtifactFormat::Raw => "application/octet-stream",
        }
    }
}

/// Defines [`ArtifactType`] with GitLab's name and the one format GitLab accepts for each
/// (`Ci::JobArtifact`'s type and format pairs).
macro_rules! artifact_types {
    ($($variant:ident = $name:literal => $format:ident,)*) => {
        /// What an artifact is: the job's archive or one of its reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ArtifactType {
            $($variant,)*
        }

        impl ArtifactType {
            pub const ALL: &'static [ArtifactType] = &[$(ArtifactType::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ArtifactType::$variant => $name,)*
                }
            }

            /// The only format an artifact of this type may have.
            pub fn format(self) -> ArtifactFormat {
                match self {
                    $(ArtifactType::$variant => ArtifactFormat::$format,)*
                }
            }
        }
    };
}

artifact_types! {
    Archive = "archive" => Zip,
    Metadata = "metadata" => Gzip,
    Trace = "trace" => Raw,
    Junit = "junit" => Gzip,
    Sast = "sast" => Raw,
    DependencyScanning = "dependency_scanning" => Raw,
    ContainerScanning = "container_scanning" => Raw,
    Dast = "dast" => Raw,
    Codequality = "codequality" => Raw,
    LicenseScanning = "license_scanning" => Raw,
    Performance = "performance" => Raw,
    Metrics = "metrics" => Gzip,
    MetricsReferee = "metrics_referee" => Gzip,
    NetworkReferee = "network_referee" => Gzip,
    Lsif = "lsif" => Zip,
    Dotenv = "dotenv" => Gzip,
    Cobertura = "cobertura" => Gzip,
    Terraform = "terraform" => Raw,
    Accessibility = "accessibility" => Raw,
    ClusterApplications = "cluster_applications" => Gzip,
    SecretDetection = "secret_detection" => Raw,
    Requirements = "requirements" => Raw,
    CoverageFuzzing = "coverage_fuzzing" => Raw,
    BrowserPerformance = "browser_performance" => Raw,
    LoadPerformance = "load_performance" => Raw,
    ApiFuzzing = "api_fuzzing" => Raw,
    ClusterImageScanning = "cluster_image_scanning" => Raw,
    Cyclonedx = "cyclonedx" => Gzip,
    RequirementsV2 = "requirements_v2" => Raw,
    Annotations = "annotations" => Gzip,
    RepositoryXray = "repository_xray" => Gzip,
    Jacoco = "jacoco" => Gzip,
}

impl ArtifactType {
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == text)
    }

    /// Whether an upload of this type may have `format`.
    pub fn accepts(self, format: ArtifactFormat) -> bool {
        self.format() == format
    }
}

/// How long an upload is kept (`expire_in`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireIn {
    /// `never` (or a zero duration, as GitLab's `"0"` default): kept until deleted.
    Never,
    /// Removed this long after the upload.
    After(Duration),
}

impl ExpireIn {
    /// GitLab's forms: `never`, or a duration such as `7 days`, `1 hour 30 min`, `3600`.
    /// `None` when the text is neither.
    pub fn parse(text: &str) -> Option<Self> {
        if text.trim().eq_ignore_ascii_case("never") {
            return Some(ExpireIn::Never);
        }
        let seconds = i64::try_from(parse_duration(text)?).ok()?;
        if seconds == 0 {
            return Some(ExpireIn::Never);
        }
        Duration::try_seconds(seconds).map(ExpireIn::After)
    }

    /// When an artifact uploaded at `now` expires; `None`: never.
    pub fn expire_at(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            ExpireIn::Never => None,
            ExpireIn::After(duration) => Some(
                now.checked_add_signed(duration)
                    .unwrap_or(DateTime::<Utc>::MAX_UTC),
            ),
        }
    }
}

/// A stored artifact: what the database knows of a file the store keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub job_id: JobId,
    pub artifact_type: ArtifactType,
    pub format: ArtifactFormat,
    /// The name the file was uploaded with (`artifacts.zip`).
    pub filename: String,
    pub size: u64,
    /// Lower-case hex.
    pub sha256: String,
    pub expire_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Where the artifact store keeps the file.
    pub store_key: String,
}

impl Artifact {
    /// Expired artifacts are treated as absent until they are removed.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expire_at.is_some_and(|at| at <= now)
    }
}

/// The name an upload is kept under: the last path segment of what the client sent, without
/// control characters; `artifacts` when nothing is left.
pub fn clean_filename(sent: Option<&str>, artifact_type: ArtifactType) -> String {
    let base = sent
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        match artifact_type.format() {
            ArtifactFormat::Zip => "artifacts.zip".to_owned(),
            ArtifactFormat::Gzip => format!("{}.gz", artifact_type.as_str()),
            ArtifactFormat::Raw => artifact_type.as_str().to_owned(),
        }
    } else {
        cleaned.to_owned()
    }
}

/// The SHA-256 of bytes that arrive piece by piece.
#[derive(Debug, Clone, Default)]
pub struct ContentDigest(Sha256);

impl ContentDigest {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// Lower-case hex.
    pub fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_formats_round_trip() {
        for t in ArtifactType::ALL {
            assert_eq!(ArtifactType::parse(t.as_str()), Some(*t));
        }
        for f in ArtifactFormat::ALL {
            assert_eq!(ArtifactFormat::parse(f.as_str()), Some(f));
        }
        assert_eq!(ArtifactType::parse("Archive"), None);
        assert_eq!(ArtifactType::parse("binary"), None);
        assert_eq!(ArtifactFormat::parse("zipzstd"), None);
    }

    #[test]
    fn each_type_accepts_only_its_format() {
        let table = [
            ("archive", "zip", true),
            ("archive", "gzip", false),
            ("archive", "raw", false),
            ("junit", "gzip", true),
            ("junit", "raw", false),
            ("metrics_referee", "gzip", true),
            ("metrics_referee", "raw", false),
            ("network_referee", "gzip", true),
            ("network_referee", "raw", false),
            ("dotenv", "gzip", true),
            ("dotenv", "raw", false),
            ("cobertura", "gzip", true),
            ("lsif", "zip", true),
            ("sast", "raw", true),
            ("sast", "gzip", false),
        ];
        for (t, f, ok) in table {
            let t = ArtifactType::parse(t).unwrap_or(ArtifactType::Archive);
            let f = ArtifactFormat::parse(f).unwrap_or(ArtifactFormat::Raw);
            assert_eq!(t.accepts(f), ok, "{t:?} {f:?}");
        }
    }

    #[test]
    fn expire_in_forms() {
        let table = [
            ("7 days", Some(ExpireIn::After(Duration::days(7)))),
            (
                "1 hour 30 min",
                Some(ExpireIn::After(Duration::minutes(90))),
            ),
            ("1h30m", Some(ExpireIn::After(Duration::minutes(90)))),
            ("3600", Some(ExpireIn::After(Duration::hours(1)))),
            ("2 weeks", Some(ExpireIn::After(Duration::weeks(2)))),
            ("never", Some(ExpireIn::Never)),
            (" Never ", Some(ExpireIn::Never)),
            ("0", Some(ExpireIn::Never)),
            ("forever", None),
            ("", None),
            ("7 parsecs", None),
            ("-1 day", None),
        ];
        for (text, want) in table {
            assert_eq!(ExpireIn::parse(text), want, "{text:?}");
        }
    }

    #[test]
    fn expiry_is_counted_from_the_upload() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(ExpireIn::Never.expire_at(now), None);
        assert_eq!(
            ExpireIn::After(Duration::days(1)).expire_at(now),
            Some(now + Duration::days(1))
        );
        let artifact = Artifact {
            job_id: JobId(1),
            artifact_type: ArtifactType::Archive,
            format: ArtifactFormat::Zip,
            filename: "a.zip".into(),
            size: 1,
            sha256: String::new(),
            expire_at: Some(now),
            created_at: now,
            store_key: "k".into(),
        };
        assert!(artifact.is_expired(now));
        assert!(!artifact.is_expired(now - Duration::seconds(1)));
        assert!(
            !Artifact {
                expire_at: None,
                ..artifact
            }
            .is_expired(now)
        );
    }

    #[test]
    fn filenames_keep_the_last_segment_only() {
        let archive = ArtifactType::Archive;
        assert_eq!(clean_filename(Some("build.zip"), archive), "build.zip");
        assert_eq!(clean_filename(Some("../../etc/passwd"), archive), "passwd");
        assert_eq!(clean_filename(Some("C:\\x\\out.zip"), archive), "out.zip");
        assert_eq!(clean_filename(Some("a\nb.zip"), archive), "ab.zip");
        assert_eq!(clean_filename(None, archive), "artifacts.zip");
        assert_eq!(clean_filename(Some("dir/"), archive), "artifacts.zip");
        assert_eq!(clean_filename(Some(".."), archive), "artifacts.zip");
        assert_eq!(
            clean_filename(None, ArtifactType::Junit),
            "junit.gz".to_owned()
        );
    }

    #[test]
    fn digests_are_hex_sha256_whatever_the_pieces() {
        let mut whole = ContentDigest::default();
        whole.update(b"abc");
        let mut pieces = ContentDigest::default();
        pieces.update(b"a");
        pieces.update(b"bc");
        let want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(whole.finish(), want);
        assert_eq!(pieces.finish(), want);
    }
}
