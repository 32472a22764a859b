//! Writes the contacts that are due: every second from the server, before reads that filter
//! by contact time, and, with `everything`, every newer contact when the server stops. Runners
//! remembered for their queues are forgotten here once stale, so memory follows the fleet.

use super::Ctx;

pub fn execute(ctx: &Ctx<'_>, everything: bool) -> Result<usize, String> {
    ctx.queues.evict_stale(ctx.now(), ctx.config.queue_refresh);
    ctx.secrets.evict_unused(ctx.now());
    let updates = ctx
        .live
        .take_due(ctx.now(), ctx.config.contact_write_interval, everything);
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
