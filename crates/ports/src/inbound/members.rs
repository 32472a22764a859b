use chrono::{DateTime, Utc};
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::{Role, UserId};

use super::{GroupRef, MemberError, ProjectRef};
use crate::Page;
use crate::outbound::MemberWithUser;

/// A group or a project whose members are managed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberTarget {
    Group(GroupRef),
    Project(ProjectRef),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddMemberRequest {
    pub user: UserId,
    pub role: Role,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateMemberRequest {
    pub role: Role,
    /// `None` keeps the expiry, `Some(None)` clears it.
    pub expires_at: Option<Option<DateTime<Utc>>>,
}

pub trait MemberUseCases {
    fn members(
        &self,
        actor: Option<&Actor>,
        target: &MemberTarget,
        query: Option<String>,
        page: PageRequest,
    ) -> Result<Page<MemberWithUser>, MemberError>;
    fn member(
        &self,
        actor: Option<&Actor>,
        target: &MemberTarget,
        user: UserId,
    ) -> Result<MemberWithUser, MemberError>;
    fn add_member(
        &self,
        actor: &Actor,
        target: &MemberTarget,
        request: AddMemberRequest,
    ) -> Result<MemberWithUser, MemberError>;
    fn update_member(
        &self,
        actor: &Actor,
        target: &MemberTarget,
        user: UserId,
        request: UpdateMemberRequest,
    ) -> Result<MemberWithUser, MemberError>;
    fn remove_member(
        &self,
        actor: &Actor,
        target: &MemberTarget,
        user: UserId,
    ) -> Result<(), MemberError>;
}
