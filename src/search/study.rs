//! The study: one ask/tell interface over every strategy. [`Study::ask`] gives the next batch
//! of trials to run (each with its budget), [`Study::tell`] takes their results; decisions
//! (TPE's proposals, halving's promotions) are made only between batches, from results in
//! trial-id order, so a study is the same for any number of workers, any scheduling order and
//! any number of resumes.
//!
//! ```text
//! grid, random   one batch: every trial, all its epochs
//! tpe            batches of `batch` proposals, each seeing every result before it
//! halving        one bracket; a batch per rung; the best 1/η (by score, ties by id) go on
//! hyperband      brackets s_max … 0 (repeated within `budget`), each a halving over its rungs
//! ```

use std::collections::{BTreeMap, HashMap};

use super::brackets::{self, BracketPlan};
use super::tpe::{self, Observation, TpeSettings};
use super::{Rung, TrialConfig, grid, random, trial_seed_of};
use crate::objective::TrialStatus;
use crate::space::value::Params;
use crate::space::{SamplerChoice, SearchSpace, Strategy, TpeOptions};

/// One unit of work: trial `id` trained up to `epochs` (absolute), from `start` epochs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    /// The trial.
    pub id: u64,
    /// The rung's budget in epochs; `None`: the trial's own epochs.
    pub epochs: Option<usize>,
    /// Epochs already trained in earlier rungs.
    pub start: usize,
    /// Its rung, under halving or Hyperband.
    pub rung: Option<Rung>,
}

/// A finished job as the study learns it: from a worker, or read back from the journal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Told {
    /// The trial.
    pub id: u64,
    /// Its rung index (`None` outside halving and Hyperband).
    pub rung: Option<u32>,
    /// How the job ended.
    pub status: TrialStatus,
    /// The trial's score after the job: its lowest validation loss so far.
    pub score: f64,
}

/// A journal that does not belong to this study.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StudyError {
    /// A recorded trial or rung the study cannot produce.
    #[error("trial {id}{} cannot belong to this search: {reason}", rung.map(|r| format!(" (rung {r})")).unwrap_or_default())]
    Foreign {
        /// The trial id.
        id: u64,
        /// The rung recorded.
        rung: Option<u32>,
        /// Why.
        reason: String,
    },
}

/// How configurations are proposed.
#[derive(Clone, Copy, Debug)]
enum Sampler {
    Grid,
    Random,
    Tpe(TpeSettings),
}

/// What runs, batch by batch.
#[derive(Debug)]
enum Plan {
    /// Every trial in one batch (grid, random).
    Flat { count: u64 },
    /// `count` configurations proposed `batch` at a time (TPE).
    Rounds { count: u64, batch: u64 },
    /// Brackets of rungs (halving, Hyperband); bracket k's configurations are the ids
    /// `first[k] .. first[k] + n_k`.
    Brackets {
        brackets: Vec<BracketPlan>,
        first: Vec<u64>,
    },
}

/// Where the study is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cursor {
    /// Batch `k` of a flat or round plan, or (bracket, rung) of a bracket plan.
    At(u64, u32),
    Done,
}

/// A configuration the study proposed (TPE, halving, Hyperband keep them; grid and random
/// rebuild theirs on demand).
#[derive(Clone, Debug)]
struct Config {
    params: Params,
    /// Highest rung told, and the score then.
    results: BTreeMap<u32, (TrialStatus, f64)>,
}

/// A search in progress: ask for trials, run them, tell their results.
pub struct Study<'s> {
    space: &'s SearchSpace,
    sampler: Sampler,
    plan: Plan,
    cursor: Cursor,
    /// Proposed configurations by id (not for grid and random).
    configs: BTreeMap<u64, Config>,
    /// Results read back from a journal, by (id, rung), not yet consumed by a batch.
    restored: HashMap<(u64, Option<u32>), Told>,
    /// Trials of bracket plans the last decision left behind (their paused state can go).
    released: Vec<u64>,
    /// Members of the current rung (bracket plans).
    members: Vec<u64>,
    /// Whether the current batch was handed out by [`Study::ask`].
    asked: bool,
}

impl<'s> Study<'s> {
    /// A study of `space`'s strategy, at its start.
    pub fn new(space: &'s SearchSpace) -> Self {
        let settings = |t: TpeOptions| TpeSettings::from_options(t);
        let (sampler, plan) = match space.strategy() {
            Strategy::Grid { .. } => (
                Sampler::Grid,
                Plan::Flat {
                    count: space.trial_count(),
                },
            ),
            Strategy::Random { trials } => (Sampler::Random, Plan::Flat { count: trials }),
            Strategy::Tpe { trials, tpe } => (
                Sampler::Tpe(settings(tpe)),
                Plan::Rounds {
                    count: trials,
                    batch: tpe.batch,
                },
            ),
            Strategy::Halving {
                trials,
                rungs,
                sampler,
            } => (
                sampler_of(sampler),
                bracket_plan(vec![brackets::halving(trials, rungs)]),
            ),
            Strategy::Hyperband {
                rungs,
                budget,
                sampler,
            } => (
                sampler_of(sampler),
                bracket_plan(brackets::hyperband(rungs, budget)),
            ),
        };
        Study {
            space,
            sampler,
            plan,
            cursor: Cursor::At(0, 0),
            configs: BTreeMap::new(),
            restored: HashMap::new(),
            released: Vec::new(),
            members: Vec::new(),
            asked: false,
        }
    }

    /// The brackets of a halving or Hyperband study, in running order (empty otherwise).
    pub fn brackets(&self) -> &[BracketPlan] {
        match &self.plan {
            Plan::Brackets { brackets, .. } => brackets,
            _ => &[],
        }
    }

    /// How many jobs the whole study runs: trials, plus one per promotion.
    pub fn jobs_total(&self) -> u64 {
        match &self.plan {
            Plan::Flat { count } | Plan::Rounds { count, .. } => *count,
            Plan::Brackets { brackets, .. } => brackets
                .iter()
                .flat_map(|b| &b.rungs)
                .map(|r| r.trials)
                .sum(),
        }
    }

    /// How many configurations the study tries.
    pub fn configurations(&self) -> u64 {
        match &self.plan {
            Plan::Flat { count } | Plan::Rounds { count, .. } => *count,
            Plan::Brackets { brackets, .. } => {
                brackets.iter().map(BracketPlan::configurations).sum()
            }
        }
    }

    /// Takes results already recorded (a journal being resumed), in journal order; the first
    /// result of each (trial, rung) counts. Refuses one the study can never produce.
    pub fn restore(&mut self, told: Told) -> Result<(), StudyError> {
        let foreign = |reason: String| StudyError::Foreign {
            id: told.id,
            rung: told.rung,
            reason,
        };
        match (&self.plan, told.rung) {
            (Plan::Flat { count } | Plan::Rounds { count, .. }, None) => {
                if told.id >= *count {
                    return Err(foreign(format!(
                        "the search has {count} trials, numbered 0 to {}",
                        count.saturating_sub(1)
                    )));
                }
            }
            (Plan::Flat { .. } | Plan::Rounds { .. }, Some(_)) => {
                return Err(foreign("this search has no rungs".into()));
            }
            (Plan::Brackets { .. }, None) => {
                return Err(foreign(
                    "halving and Hyperband record a rung per row".into(),
                ));
            }
            (Plan::Brackets { brackets, first }, Some(rung)) => {
                let Some(k) = bracket_of(first, brackets, told.id) else {
                    return Err(foreign(format!(
                        "the search has {} configurations",
                        self.configurations()
                    )));
                };
                if rung as usize >= brackets[k].rungs.len() {
                    return Err(foreign(format!(
                        "its bracket has {} rungs",
                        brackets[k].rungs.len()
                    )));
                }
            }
        }
        self.restored.entry((told.id, told.rung)).or_insert(told);
        Ok(())
    }

    /// The next batch of jobs to run, or `None` when the study is over. Jobs whose results
    /// were restored are told at once and not returned; every returned job must be told
    /// before the next call.
    pub fn ask(&mut self) -> Option<Vec<Job>> {
        // The batch handed out last time has been told: decide and move past it.
        if std::mem::take(&mut self.asked) {
            self.advance();
        }
        loop {
            let batch = self.batch()?;
            let mut pending = Vec::new();
            for job in batch {
                match self.restored.remove(&(job.id, job.rung.map(|r| r.index))) {
                    Some(told) => self.tell(told),
                    None => pending.push(job),
                }
            }
            if !pending.is_empty() {
                self.asked = true;
                return Some(pending);
            }
            self.advance();
        }
    }

    /// Takes the result of a job of the current batch.
    pub fn tell(&mut self, told: Told) {
        if let Some(config) = self.configs.get_mut(&told.id) {
            config
                .results
                .insert(told.rung.unwrap_or(0), (told.status, told.score));
        }
    }

    /// Trials the last decision dropped (pruned, or their bracket is over): an objective may
    /// free what it kept to continue them. Drains the list.
    pub fn released(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.released)
    }

    /// The trial a job runs, built from the space (grid, random) or the study's proposal.
    pub fn trial(&self, job: &Job) -> TrialConfig {
        let params = match self.configs.get(&job.id) {
            Some(config) => config.params.clone(),
            None if matches!(self.sampler, Sampler::Grid) => grid::assignment(self.space, job.id),
            None => random::assignment(self.space, job.id),
        };
        TrialConfig {
            id: job.id,
            seed: trial_seed_of(self.space, job.id),
            params,
            epochs: job.epochs,
            start: job.start,
            rung: job.rung,
        }
    }

    /// The jobs of the batch at the cursor (proposing its configurations if it starts a
    /// round or a bracket), or `None` when done.
    fn batch(&mut self) -> Option<Vec<Job>> {
        let Cursor::At(k, rung) = self.cursor else {
            return None;
        };
        match &self.plan {
            Plan::Flat { count } => {
                if k > 0 {
                    return None;
                }
                Some((0..*count).map(flat_job).collect())
            }
            Plan::Rounds { count, batch } => {
                let ids = k * batch..((k + 1) * batch).min(*count);
                if ids.is_empty() {
                    return None;
                }
                self.propose(ids.clone(), None);
                Some(ids.map(flat_job).collect())
            }
            Plan::Brackets { brackets, first } => {
                let bracket = brackets.get(k as usize)?.clone();
                let plan = bracket.rungs[rung as usize];
                let start = match rung {
                    0 => 0,
                    r => bracket.rungs[r as usize - 1].epochs,
                };
                if rung == 0 {
                    let ids = first[k as usize]..first[k as usize] + plan.trials;
                    self.propose(ids.clone(), Some(bracket.rungs.len()));
                    self.members = ids.collect();
                }
                let info = Rung {
                    bracket: k as u32,
                    index: rung,
                    last: rung as usize + 1 == bracket.rungs.len(),
                };
                Some(
                    self.members
                        .iter()
                        .map(|&id| Job {
                            id,
                            epochs: Some(to_usize(plan.epochs)),
                            start: to_usize(start),
                            rung: Some(info),
                        })
                        .collect(),
                )
            }
        }
    }

    /// Moves past the current batch, deciding what the next one holds.
    fn advance(&mut self) {
        let Cursor::At(k, rung) = self.cursor else {
            return;
        };
        self.cursor = match &self.plan {
            Plan::Flat { .. } => Cursor::Done,
            Plan::Rounds { .. } => Cursor::At(k + 1, 0),
            Plan::Brackets { brackets, .. } => {
                let bracket = &brackets[k as usize];
                if rung as usize + 1 < bracket.rungs.len() {
                    let keep = bracket.rungs[rung as usize + 1].trials;
                    self.promote(rung, keep);
                    Cursor::At(k, rung + 1)
                } else {
                    self.released.append(&mut self.members);
                    if k as usize + 1 < brackets.len() {
                        Cursor::At(k + 1, 0)
                    } else {
                        Cursor::Done
                    }
                }
            }
        };
    }

    /// Keeps the best `keep` members that completed rung `rung` (by score, ties by id); the
    /// others (pruned, diverged, failed, stopped early) are released.
    fn promote(&mut self, rung: u32, keep: u64) {
        let mut ranked: Vec<(f64, u64)> = self
            .members
            .iter()
            .filter_map(|&id| {
                let (status, score) = *self.configs.get(&id)?.results.get(&rung)?;
                (status == TrialStatus::Pruned && score.is_finite()).then_some((score, id))
            })
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        ranked.truncate(usize::try_from(keep).unwrap_or(usize::MAX));
        let mut kept: Vec<u64> = ranked.into_iter().map(|(_, id)| id).collect();
        kept.sort_unstable();
        let (stay, go): (Vec<u64>, Vec<u64>) = self
            .members
            .iter()
            .partition(|id| kept.binary_search(id).is_ok());
        self.members = stay;
        self.released.extend(go);
    }

    /// Proposes configurations `ids` (in id order, all from the same history). `rungs`: the
    /// bracket's rung count when proposing for a bracket.
    fn propose(&mut self, ids: std::ops::Range<u64>, rungs: Option<usize>) {
        let space = self.space;
        for id in ids {
            if self.configs.contains_key(&id) {
                continue;
            }
            let params = match self.sampler {
                Sampler::Grid => grid::assignment(space, id),
                Sampler::Random => random::assignment(space, id),
                // BOHB's random fraction (Falkner et al. 2018): under halving and Hyperband a
                // third of the configurations (ids divisible by 3) are random search's draws,
                // so a model of low-budget results, which may rank the wrong configurations
                // first, never decides a whole bracket.
                Sampler::Tpe(_) if rungs.is_some() && id % 3 == 0 => random::assignment(space, id),
                Sampler::Tpe(settings) => {
                    let history = self.history(rungs.is_some(), settings.startup);
                    tpe::propose(space, &settings, id, &history)
                }
            };
            self.configs.insert(
                id,
                Config {
                    params,
                    results: BTreeMap::new(),
                },
            );
        }
    }

    /// What TPE learns from, in trial-id order. Flat: every result. Brackets: the results at
    /// the largest budget that at least `startup` (and at least one) trials reached.
    fn history(&self, by_budget: bool, startup: u64) -> Vec<Observation<'_>> {
        let score = |status: TrialStatus, score: f64| {
            (status.is_scored() && score.is_finite()).then_some(score)
        };
        if !by_budget {
            return self
                .configs
                .values()
                .filter_map(|c| {
                    let &(status, s) = c.results.get(&0)?;
                    Some(Observation {
                        params: &c.params,
                        score: score(status, s),
                    })
                })
                .collect();
        }
        // The budget of a result is the epochs of its rung; compare results at equal budgets.
        let Plan::Brackets { brackets, first } = &self.plan else {
            return Vec::new();
        };
        let budget_of = |id: u64, rung: u32| {
            bracket_of(first, brackets, id).map(|k| brackets[k].rungs[rung as usize].epochs)
        };
        let mut at: BTreeMap<u64, Vec<Observation<'_>>> = BTreeMap::new();
        for (&id, c) in &self.configs {
            for (&rung, &(status, s)) in &c.results {
                if let Some(budget) = budget_of(id, rung) {
                    at.entry(budget).or_default().push(Observation {
                        params: &c.params,
                        score: score(status, s),
                    });
                }
            }
        }
        let enough = startup.max(1) as usize;
        at.into_iter()
            .rev()
            .find(|(_, obs)| obs.len() >= enough)
            .map(|(_, obs)| obs)
            .unwrap_or_default()
    }
}

fn flat_job(id: u64) -> Job {
    Job {
        id,
        epochs: None,
        start: 0,
        rung: None,
    }
}

fn sampler_of(choice: SamplerChoice) -> Sampler {
    match choice {
        SamplerChoice::Random => Sampler::Random,
        SamplerChoice::Tpe(t) => Sampler::Tpe(TpeSettings::from_options(t)),
    }
}

fn bracket_plan(brackets: Vec<BracketPlan>) -> Plan {
    let mut first = Vec::with_capacity(brackets.len());
    let mut next = 0;
    for b in &brackets {
        first.push(next);
        next += b.configurations();
    }
    Plan::Brackets { brackets, first }
}

/// The bracket that configuration `id` starts in.
fn bracket_of(first: &[u64], brackets: &[BracketPlan], id: u64) -> Option<usize> {
    let k = first.partition_point(|&f| f <= id).checked_sub(1)?;
    (id < first[k] + brackets[k].configurations()).then_some(k)
}

fn to_usize(x: u64) -> usize {
    usize::try_from(x).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::objective::params::MLP_PARAMS;
    use crate::space::parse;

    fn space(search: &str, params: &str) -> SearchSpace {
        parse(
            &format!(
                "seed = 3\n[data]\nbuiltin = \"iris\"\n[search]\n{search}\n[params]\n{params}"
            ),
            Path::new("s.toml"),
            MLP_PARAMS,
        )
        .expect("valid space")
    }

    /// Runs a study with a fake objective, `score(id, epochs)`, every job completing; returns
    /// each batch as (id, epochs) pairs.
    fn drive(study: &mut Study<'_>, score: impl Fn(u64, usize) -> f64) -> Vec<Vec<(u64, usize)>> {
        let mut batches = Vec::new();
        while let Some(batch) = study.ask() {
            let mut seen = Vec::new();
            for job in &batch {
                let epochs = job.epochs.unwrap_or(0);
                let last = job.rung.is_none_or(|r| r.last);
                study.tell(Told {
                    id: job.id,
                    rung: job.rung.map(|r| r.index),
                    status: if last {
                        TrialStatus::Completed
                    } else {
                        TrialStatus::Pruned
                    },
                    score: score(job.id, epochs),
                });
                seen.push((job.id, epochs));
            }
            batches.push(seen);
        }
        batches
    }

    fn shape(batches: &[Vec<(u64, usize)>]) -> Vec<(usize, usize)> {
        batches.iter().map(|b| (b.len(), b[0].1)).collect()
    }

    #[test]
    fn hyperband_runs_li_et_al_table_1_on_a_fake_objective() {
        let s = space("strategy = \"hyperband\"\nreduction = 3", "epochs = 81");
        let mut study = Study::new(&s);
        assert_eq!(study.configurations(), 81 + 34 + 15 + 8 + 5);
        let batches = drive(&mut study, |id, _| id as f64);
        assert_eq!(
            shape(&batches),
            [
                (81, 1),
                (27, 3),
                (9, 9),
                (3, 27),
                (1, 81),
                (34, 3),
                (11, 9),
                (3, 27),
                (1, 81),
                (15, 9),
                (5, 27),
                (1, 81),
                (8, 27),
                (2, 81),
                (5, 81)
            ]
        );
        // Lower id scores better: each rung keeps the lowest ids of its bracket.
        assert_eq!(batches[4], [(0, 81)]);
        assert_eq!(batches[8], [(81, 81)]);
    }

    #[test]
    fn halving_keeps_the_best_by_score_and_breaks_ties_by_id() {
        let s = space(
            "strategy = \"halving\"\ntrials = 8\nreduction = 2",
            "epochs = 4\nlearning_rate = { log_uniform = [0.001, 0.1] }",
        );
        let mut study = Study::new(&s);
        // Scores tie in pairs: (0,1) (2,3) … get 4, 3, 2, 1: the best pair is 6 and 7.
        let batches = drive(&mut study, |id, _| (4 - id / 2) as f64);
        assert_eq!(shape(&batches), [(8, 1), (4, 2), (2, 4)]);
        assert_eq!(
            batches[1].iter().map(|j| j.0).collect::<Vec<_>>(),
            [4, 5, 6, 7]
        );
        assert_eq!(batches[2].iter().map(|j| j.0).collect::<Vec<_>>(), [6, 7]);
        // A tie across the cut is broken by id: 3 trials of equal score, keep 1 of them (η 4).
        let s = space(
            "strategy = \"halving\"\ntrials = 4\nreduction = 4",
            "epochs = 4",
        );
        let mut study = Study::new(&s);
        let batches = drive(&mut study, |id, _| if id == 0 { 9.0 } else { 1.0 });
        assert_eq!(batches[1], [(1, 4)]);
    }

    #[test]
    fn diverged_and_failed_trials_are_never_promoted() {
        let s = space(
            "strategy = \"halving\"\ntrials = 4\nreduction = 2",
            "epochs = 2",
        );
        let mut study = Study::new(&s);
        let first = study.ask().unwrap();
        for job in &first {
            let status = if job.id < 2 {
                TrialStatus::Diverged
            } else {
                TrialStatus::Pruned
            };
            study.tell(Told {
                id: job.id,
                rung: Some(0),
                status,
                score: if job.id < 2 { f64::INFINITY } else { 1.0 },
            });
        }
        let second = study.ask().unwrap();
        assert_eq!(second.iter().map(|j| j.id).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(second[0].start, 1, "continues from the first rung's epochs");
    }

    #[test]
    fn restored_results_are_not_asked_again_and_foreign_ones_are_refused() {
        let s = space(
            "strategy = \"halving\"\ntrials = 3\nreduction = 3",
            "epochs = 3",
        );
        let mut whole = Study::new(&s);
        let all = drive(&mut whole, |id, _| id as f64);
        let mut resumed = Study::new(&s);
        for id in 0..3 {
            resumed
                .restore(Told {
                    id,
                    rung: Some(0),
                    status: TrialStatus::Pruned,
                    score: id as f64,
                })
                .unwrap();
        }
        assert_eq!(
            resumed.ask().unwrap(),
            whole_jobs(&s, &all[1]),
            "the next rung, as an uninterrupted study has it"
        );
        let foreign = |id, rung| {
            Study::new(&s).restore(Told {
                id,
                rung,
                status: TrialStatus::Completed,
                score: 0.0,
            })
        };
        assert!(foreign(3, Some(0)).is_err(), "only 3 configurations");
        assert!(foreign(0, Some(2)).is_err(), "only 2 rungs");
        assert!(foreign(0, None).is_err(), "halving rows have a rung");
        let r = space("strategy = \"random\"\ntrials = 40", "epochs = 2");
        let err = Study::new(&r)
            .restore(Told {
                id: 99,
                rung: None,
                status: TrialStatus::Completed,
                score: 0.0,
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "trial 99 cannot belong to this search: the search has 40 trials, numbered 0 to 39"
        );
    }

    fn whole_jobs(s: &SearchSpace, batch: &[(u64, usize)]) -> Vec<Job> {
        let mut study = Study::new(s);
        let first = study.ask().unwrap();
        for job in &first {
            study.tell(Told {
                id: job.id,
                rung: Some(0),
                status: TrialStatus::Pruned,
                score: job.id as f64,
            });
        }
        let next = study.ask().unwrap();
        assert_eq!(
            next.iter()
                .map(|j| (j.id, j.epochs.unwrap()))
                .collect::<Vec<_>>(),
            batch
        );
        next
    }

    #[test]
    fn tpe_under_hyperband_leaves_every_third_configuration_random() {
        let s = space(
            "strategy = \"hyperband\"\nreduction = 3\nsampler = \"tpe\"\nstartup = 4",
            "learning_rate = { log_uniform = [0.001, 0.1] }\nepochs = 9",
        );
        let mut study = Study::new(&s);
        drive(&mut study, |id, epochs| {
            (id * 37 % 11) as f64 / (1 + epochs) as f64
        });
        let mut modelled = 0;
        for id in 0..study.configurations() {
            let random = random::assignment(&s, id);
            let params = &study.configs[&id].params;
            if id % 3 == 0 {
                assert_eq!(*params, random, "configuration {id}");
            } else if *params != random {
                modelled += 1;
            }
        }
        // Brackets of 9, 5 and 3 configurations. The first has no results to learn from; in
        // the later two (ids 9..17), the five ids not divisible by 3 are TPE's.
        let sizes: Vec<u64> = study
            .brackets()
            .iter()
            .map(BracketPlan::configurations)
            .collect();
        assert_eq!(sizes, [9, 5, 3]);
        assert_eq!(modelled, 5);
    }

    #[test]
    fn tpe_rounds_see_only_earlier_rounds() {
        let s = space(
            "strategy = \"tpe\"\ntrials = 10\nbatch = 4\nstartup = 2",
            "learning_rate = { log_uniform = [0.001, 0.1] }\nepochs = 1",
        );
        let mut study = Study::new(&s);
        let batches = drive(&mut study, |id, _| id as f64);
        assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
        // The first round is random search's first draws.
        for id in 0..4 {
            assert_eq!(
                study.trial(&flat_job(id)).params,
                random::assignment(&s, id)
            );
        }
    }
}
