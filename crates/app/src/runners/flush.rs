//! Writes the contacts that are due (called by the server every second, and before lists that
//! filter by contact time).

use super::Ctx;

pub fn execute(ctx: &Ctx<'_>) -> Result<usize, String> {
    let updates = ctx.live.take_due(ctx.now());
    if updates.is_empty() {
        return Ok(0);
    }
    match ctx.out.runners.record_contacts(&updates) {
        Ok(()) => Ok(updates.len()),
        Err(error) => {
            ctx.live.restore(&updates);
            Err(error.to_string())
        }
    }
}
