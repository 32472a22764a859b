//! Project CI/CD variables in memory: one per key in a project, listed by key.

use paddock_domain::pagination::PageRequest;
use paddock_domain::{ProjectId, VariableId};
use paddock_ports::outbound::{NewVariable, StoredVariable, VariableChanges, VariableRepository};
use paddock_ports::{Page, RepoResult};

use super::{MemoryStore, State, conflict, paginate};

impl State {
    fn project_variables(&self, project: ProjectId) -> Vec<StoredVariable> {
        let mut found: Vec<StoredVariable> = self
            .variables
            .iter()
            .filter(|v| v.project_id == project)
            .cloned()
            .collect();
        found.sort_by(|a, b| a.key.cmp(&b.key));
        found
    }
}

impl VariableRepository for MemoryStore {
    fn create_variable(&self, new: NewVariable) -> RepoResult<StoredVariable> {
        self.with(|s| {
            if !s.project_exists(new.project_id) {
                return conflict("reference");
            }
            if s.variables
                .iter()
                .any(|v| v.project_id == new.project_id && v.key == new.key)
            {
                return conflict("variable_key");
            }
            s.next_variable += 1;
            let variable = StoredVariable {
                id: VariableId(s.next_variable),
                project_id: new.project_id,
                key: new.key,
                sealed_value: new.sealed_value,
                variable_type: new.variable_type,
                protected: new.protected,
                masked: new.masked,
                raw: new.raw,
                environment_scope: new.environment_scope,
                description: new.description,
            };
            s.variables.push(variable.clone());
            Ok(variable)
        })
    }

    fn variable(&self, project: ProjectId, key: &str) -> RepoResult<Option<StoredVariable>> {
        Ok(self.with(|s| {
            s.variables
                .iter()
                .find(|v| v.project_id == project && v.key == key)
                .cloned()
        }))
    }

    fn variables(&self, project: ProjectId, page: PageRequest) -> RepoResult<Page<StoredVariable>> {
        Ok(self.with(|s| paginate(s.project_variables(project), page)))
    }

    fn all_variables(&self, project: ProjectId) -> RepoResult<Vec<StoredVariable>> {
        Ok(self.with(|s| s.project_variables(project)))
    }

    fn update_variable(
        &self,
        project: ProjectId,
        key: &str,
        changes: &VariableChanges,
    ) -> RepoResult<Option<StoredVariable>> {
        Ok(self.with(|s| {
            let variable = s
                .variables
                .iter_mut()
                .find(|v| v.project_id == project && v.key == key)?;
            if let Some(v) = &changes.sealed_value {
                variable.sealed_value = v.clone();
            }
            if let Some(v) = changes.variable_type {
                variable.variable_type = v;
            }
            if let Some(v) = changes.protected {
                variable.protected = v;
            }
            if let Some(v) = changes.masked {
                variable.masked = v;
            }
            if let Some(v) = changes.raw {
                variable.raw = v;
            }
            if let Some(v) = &changes.description {
                variable.description = v.clone();
            }
            Some(variable.clone())
        }))
    }

    fn delete_variable(&self, project: ProjectId, key: &str) -> RepoResult<bool> {
        Ok(self.with(|s| {
            let before = s.variables.len();
            s.variables
                .retain(|v| !(v.project_id == project && v.key == key));
            s.variables.len() != before
        }))
    }
}
