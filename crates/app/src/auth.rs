mod authenticate;

use paddock_domain::token::PlainToken;
use paddock_ports::inbound::{AuthError, Authenticate, Authenticated};

use crate::Paddock;

impl Authenticate for Paddock {
    fn authenticate(&self, token: &PlainToken) -> Result<Authenticated, AuthError> {
        authenticate::execute(&self.out, token)
    }
}
