//! `GET /runners/:id/managers`.

use paddock_domain::permission::Actor;
use paddock_domain::runner::RunnerId;
use paddock_domain::runner::permission::may_read;
use paddock_domain::runner::status::Liveness;
use paddock_ports::inbound::{RunnerError, RunnerManagerView};

use super::Ctx;

pub fn execute(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: RunnerId,
) -> Result<Vec<RunnerManagerView>, RunnerError> {
    let (runner, standing) = ctx.load(actor, id)?;
    if !may_read(actor, &standing) {
        return Err(RunnerError::Forbidden(Some("No access granted")));
    }
    ctx.flush();
    let now = ctx.now();
    let mut views: Vec<RunnerManagerView> = ctx
        .out
        .runners
        .runner_managers(runner.id)?
        .into_iter()
        .map(|mut manager| {
            manager.contacted_at = manager
                .contacted_at
                .max(ctx.live.manager_contacted_at(runner.id, &manager.system_id));
            let liveness = Liveness {
                created_at: manager.created_at,
                contacted_at: manager.contacted_at,
                // A machine's status does not follow the runner's pause.
                active: true,
            };
            RunnerManagerView {
                status: liveness.status(now),
                online: liveness.online(now),
                manager,
            }
        })
        .collect();
    views.sort_by_key(|v| v.manager.id);
    Ok(views)
}
