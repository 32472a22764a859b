mod create_token;
mod create_user;
mod delete_user;
mod get_user;
mod list_users;

use paddock_domain::UserId;
use paddock_domain::pagination::PageRequest;
use paddock_domain::permission::Actor;
use paddock_domain::user::User;
use paddock_ports::Page;
use paddock_ports::inbound::{
    CreateError, CreateTokenRequest, CreateUserRequest, CreatedToken, DeleteError, FindError,
    UserUseCases,
};
use paddock_ports::outbound::UserFilter;

use crate::Paddock;

impl UserUseCases for Paddock {
    fn list_users(
        &self,
        actor: &Actor,
        filter: UserFilter,
        page: PageRequest,
    ) -> Result<Page<User>, FindError> {
        list_users::execute(&self.out, actor, &filter, page)
    }

    fn get_user(&self, actor: &Actor, id: UserId) -> Result<User, FindError> {
        get_user::execute(&self.out, actor, id)
    }

    fn create_user(&self, actor: &Actor, request: CreateUserRequest) -> Result<User, CreateError> {
        create_user::execute(&self.out, actor, request)
    }

    fn delete_user(&self, actor: &Actor, id: UserId) -> Result<(), DeleteError> {
        delete_user::execute(&self.out, actor, id)
    }

    fn create_personal_access_token(
        &self,
        actor: &Actor,
        user: UserId,
        request: CreateTokenRequest,
    ) -> Result<CreatedToken, CreateError> {
        create_token::execute(&self.out, actor, user, request)
    }
}
