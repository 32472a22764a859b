//! The checks across jobs, run after each job is read (GitLab's "logical validations"): every
//! job's stage exists, its needs and dependencies name visible jobs of the same or an earlier
//! stage, and needs form no cycle.

use std::collections::HashMap;

use super::job::Draft;
use super::value::Errors;

/// Sets each job's `stage_index` and adds what is wrong across jobs. `stages` is `None` when
/// the stage list itself was invalid; `names` are all visible jobs, valid or not, so that a
/// broken job is not also reported as undefined.
pub(super) fn check(
    stages: Option<&[String]>,
    names: &[String],
    drafts: &mut [Draft],
    errors: &mut Errors,
) {
    let mut stage_index: HashMap<String, usize> = HashMap::new();
    if let Some(stages) = stages {
        for draft in drafts.iter_mut() {
            let Some(stage) = &draft.stage else { continue };
            match stages.iter().position(|s| s == stage) {
                Some(index) => {
                    draft.definition.stage_index = index;
                    stage_index.insert(draft.definition.name.clone(), index);
                }
                None => errors.add(format!(
                    "{} job: chosen stage {stage} does not exist; available stages are {}",
                    draft.definition.name,
                    stages.join(", ")
                )),
            }
        }
    }
    let later = |job: &str, other: &str| match (stage_index.get(job), stage_index.get(other)) {
        (Some(job), Some(other)) => other > job,
        _ => false,
    };

    for draft in drafts.iter() {
        let job = &draft.definition;
        let name = job.name.as_str();
        for dependency in job.dependencies.iter().flatten() {
            if !names.contains(dependency) {
                errors.add(format!("{name} job: undefined dependency: {dependency}"));
            } else if dependency == name {
                errors.add(format!(
                    "{name} job: dependency {dependency} is the job itself"
                ));
            } else if later(name, dependency) {
                errors.add(format!(
                    "{name} job: dependency {dependency} is not defined in current or prior stages"
                ));
            }
        }
        let needs = job.needs.as_deref().unwrap_or_default();
        for need in needs {
            if !names.contains(&need.job) {
                errors.add(format!("{name} job: undefined need: {}", need.job));
            } else if later(name, &need.job) {
                errors.add(format!(
                    "{name} job: need {} is not defined in current or prior stages",
                    need.job
                ));
            }
        }
        let mut duplicated: Vec<&str> = Vec::new();
        for (i, need) in needs.iter().enumerate() {
            if needs[..i].iter().any(|n| n.job == need.job)
                && !duplicated.contains(&need.job.as_str())
            {
                duplicated.push(&need.job);
            }
        }
        if !duplicated.is_empty() {
            errors.add(format!(
                "{name} has the following needs duplicated: {}.",
                duplicated.join(", ")
            ));
        }
    }

    // Needs may point to the same stage only, across stages they are already reported: so
    // cycles are looked for among the jobs of each stage.
    let position: HashMap<&str, usize> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| (d.definition.name.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = drafts
        .iter()
        .map(|draft| {
            let job = &draft.definition;
            job.needs
                .iter()
                .flatten()
                .filter(|need| {
                    let same = stage_index.get(&need.job);
                    same.is_some() && same == stage_index.get(&job.name)
                })
                .filter_map(|need| position.get(need.job.as_str()).copied())
                .collect()
        })
        .collect();
    for cycle in cycles(&edges) {
        let names: Vec<&str> = cycle
            .iter()
            .map(|&i| drafts[i].definition.name.as_str())
            .collect();
        errors.add(format!(
            "The pipeline has circular dependencies: {}",
            names.join(", ")
        ));
    }
}

/// The strongly connected components of the graph that contain a cycle (more than one node, or
/// a node that points to itself), each sorted, ordered by their first node. Tarjan's algorithm,
/// iterative so that long chains of needs cannot overflow the stack.
fn cycles(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNVISITED: usize = usize::MAX;
    let n = edges.len();
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut found = Vec::new();

    for root in 0..n {
        if index[root] != UNVISITED {
            continue;
        }
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        let mut work = vec![(root, 0usize)];
        while let Some(top) = work.last_mut() {
            let v = top.0;
            if let Some(&w) = edges[v].get(top.1) {
                top.1 += 1;
                if index[w] == UNVISITED {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 || edges[v].contains(&v) {
                    component.sort_unstable();
                    found.push(component);
                }
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (edges of each node, expected cycles)
    type Case = (&'static [&'static [usize]], &'static [&'static [usize]]);

    #[test]
    fn cycles_table() {
        let table: [Case; 8] = [
            (&[], &[]),
            (&[&[], &[0], &[1]], &[]),
            (&[&[1], &[0]], &[&[0, 1]]),
            (&[&[0]], &[&[0]]),
            (&[&[1], &[2], &[0], &[]], &[&[0, 1, 2]]),
            (&[&[1], &[0], &[3], &[2], &[0, 2]], &[&[0, 1], &[2, 3]]),
            (&[&[1, 2], &[3], &[3], &[]], &[]),
            (&[&[3], &[], &[1], &[2, 0]], &[&[0, 3]]),
        ];
        for (edges, want) in table {
            let edges: Vec<Vec<usize>> = edges.iter().map(|e| e.to_vec()).collect();
            let want: Vec<Vec<usize>> = want.iter().map(|c| c.to_vec()).collect();
            assert_eq!(cycles(&edges), want, "{edges:?}");
        }
    }

    #[test]
    fn a_long_chain_of_needs_does_not_overflow() {
        let n = 100_000;
        let mut edges: Vec<Vec<usize>> = (0..n).map(|i| vec![i + 1]).collect();
        edges[n - 1] = vec![0];
        assert_eq!(cycles(&edges), vec![(0..n).collect::<Vec<_>>()]);
    }
}
