mod bootstrap;
mod reset_runners_token;

use paddock_domain::permission::Actor;
use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{
    BootstrapError, BootstrapReport, BootstrapRequest, InstanceUseCases, ResetTokenError,
};

use crate::Paddock;

impl InstanceUseCases for Paddock {
    fn bootstrap(&self, request: BootstrapRequest) -> Result<BootstrapReport, BootstrapError> {
        bootstrap::execute(&self.out, request)
    }

    fn reset_instance_runners_token(&self, actor: &Actor) -> Result<PlainToken, ResetTokenError> {
        reset_runners_token::execute(&self.out, actor)
    }

    fn ready(&self) -> Result<(), String> {
        self.out.health.ping().map_err(|e| e.to_string())
    }
}
