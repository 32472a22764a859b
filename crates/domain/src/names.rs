//! Validation of names, paths, usernames and e-mail addresses, with GitLab's messages.

/// One broken rule on one attribute, reported as GitLab's `{"message": {attribute: [text]}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// GitLab's rule for a path segment (and a username).
pub const PATH_RULE: &str = "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.git' or end in '.atom'";
/// GitLab's rule for a group or project name.
pub const NAME_RULE: &str = "can contain only letters, digits, emoji, '_', '.', '+', dashes, or spaces. It must start with a letter, digit, emoji, or '_'.";

const MAX_LENGTH: usize = 255;

/// A path segment of a group, a project or a user namespace: `[A-Za-z0-9_.-]`, not starting
/// with `-`, not ending in `.`, `.git` or `.atom`, at most 255 characters.
pub fn validate_path(field: &'static str, path: &str) -> Result<(), FieldError> {
    if path.is_empty() {
        return Err(FieldError::new(field, "can't be blank"));
    }
    if path.chars().count() > MAX_LENGTH {
        return Err(FieldError::new(
            field,
            "is too long (maximum is 255 characters)",
        ));
    }
    let allowed = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let bad_start = path.starts_with('-');
    let bad_end = path.ends_with('.') || path.ends_with(".git") || path.ends_with(".atom");
    if !allowed || bad_start || bad_end {
        return Err(FieldError::new(field, PATH_RULE));
    }
    Ok(())
}

/// A display name of a group or project.
pub fn validate_name(field: &'static str, name: &str) -> Result<(), FieldError> {
    if name.trim().is_empty() {
        return Err(FieldError::new(field, "can't be blank"));
    }
    if name.chars().count() > MAX_LENGTH {
        return Err(FieldError::new(
            field,
            "is too long (maximum is 255 characters)",
        ));
    }
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || is_emoji(c));
    let rest_ok = name.chars().all(|c| {
        c.is_alphanumeric() || matches!(c, '_' | '.' | '+' | '-' | ' ' | '(' | ')') || is_emoji(c)
    });
    if !first_ok || !rest_ok {
        return Err(FieldError::new(field, NAME_RULE));
    }
    Ok(())
}

fn is_emoji(c: char) -> bool {
    matches!(u32::from(c), 0x1F300..=0x1FAFF | 0x2600..=0x27BF)
}

/// A username: a path segment of at least two characters.
pub fn validate_username(username: &str) -> Result<(), FieldError> {
    validate_path("username", username)?;
    if username.chars().count() < 2 {
        return Err(FieldError::new(
            "username",
            "is too short (minimum is 2 characters)",
        ));
    }
    Ok(())
}

/// A user's display name: anything printable up to 255 characters.
pub fn validate_user_name(name: &str) -> Result<(), FieldError> {
    if name.trim().is_empty() {
        return Err(FieldError::new("name", "can't be blank"));
    }
    if name.chars().count() > MAX_LENGTH {
        return Err(FieldError::new(
            "name",
            "is too long (maximum is 255 characters)",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new("name", "cannot contain control characters"));
    }
    Ok(())
}

/// A plausible e-mail address: one `@` with text on both sides and a dot in the domain.
pub fn validate_email(email: &str) -> Result<(), FieldError> {
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid && email.len() <= MAX_LENGTH {
        Ok(())
    } else {
        Err(FieldError::new("email", "is invalid"))
    }
}

/// A free text (description, maintenance note) of at most `max` characters.
pub fn validate_text(field: &'static str, text: &str, max: usize) -> Result<(), FieldError> {
    if text.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("is too long (maximum is {max} characters)"),
        ));
    }
    Ok(())
}

/// The last path segment of a name, as GitLab derives a path when only a name is given:
/// lower-case, runs of other characters turned into one `-`, trimmed of `-` and `.`.
pub fn path_from_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            out.push(c.to_ascii_lowercase());
            last_dash = false;
        } else if !last_dash {
            out.push('-');
            last_dash = true;
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.');
    trimmed.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        for good in ["a", "my-project", "my_project.v2", "A1", "_x"] {
            assert_eq!(validate_path("path", good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "-a",
            "a.",
            "a.git",
            "a.atom",
            "a b",
            "a/b",
            "ä",
            &"x".repeat(256),
        ] {
            assert!(validate_path("path", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names() {
        for good in [
            "My Project",
            "_hidden",
            "Runner (ci)",
            "C++ tools",
            "Ünïcödé",
            "🚀 rocket",
        ] {
            assert_eq!(validate_name("name", good), Ok(()), "{good}");
        }
        for bad in ["", "   ", "-dash", ".dot", "semi;colon", "a/b"] {
            assert!(validate_name("name", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn usernames_and_emails() {
        assert!(validate_username("ab").is_ok());
        assert!(validate_username("a").is_err());
        assert!(validate_username("bad name").is_err());
        assert!(validate_email("root@example.com").is_ok());
        for bad in [
            "",
            "root",
            "@example.com",
            "root@",
            "root@example",
            "a b@example.com",
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_length() {
        assert!(validate_text("description", &"x".repeat(1024), 1024).is_ok());
        let err = validate_text("description", &"x".repeat(1025), 1024);
        assert_eq!(
            err,
            Err(FieldError::new(
                "description",
                "is too long (maximum is 1024 characters)"
            ))
        );
    }

    #[test]
    fn derives_paths_from_names() {
        assert_eq!(path_from_name("My Project"), "my-project");
        assert_eq!(path_from_name("  C++ Tools! "), "c-tools");
        assert_eq!(path_from_name("v1.2"), "v1.2");
    }
}
