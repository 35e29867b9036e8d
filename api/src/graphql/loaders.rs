//! DataLoaders: every relation is fetched in batches, one query per kind per tick.
//! A batch's error goes through `to_gql` here, so `?` on a load in a resolver keeps its code,
//! and a failed batch is logged once, under one reference, for every field that waited on it.

use super::errors::to_gql;
use async_graphql::dataloader::{DataLoader, Loader};
use chrono::NaiveDate;
use domain::{check_ins, cycles, employees, goals};
use entity::{
    check_in, cycle, department, employee, goal, goal_event, goal_revision, key_result,
    key_result_update, milestone,
};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::future::Future;
use std::sync::OnceLock;
use uuid::Uuid;

macro_rules! batch_loader {
    ($(#[$meta:meta])* $name:ident, $key:ty => $value:ty, $fetch:path) => {
        $(#[$meta])*
        pub struct $name(pub DatabaseConnection);

        impl Loader<$key> for $name {
            type Value = $value;
            type Error = async_graphql::Error;

            fn load(&self, keys: &[$key]) -> impl Future<Output = Result<HashMap<$key, $value>, Self::Error>> + Send {
                let db = self.0.clone();
                let keys = keys.to_vec();
                async move { $fetch(&db, &keys).await.map_err(to_gql) }
            }
        }
    };
}

batch_loader!(
    /// Review round by id.
    RoundLoader, Uuid => entity::review_round::Model, domain::review::rounds::by_ids
);
batch_loader!(
    /// Review template (read) by id.
    TemplateLoader, Uuid => domain::review::templates::Template, domain::review::templates::by_ids
);
batch_loader!(
    /// Pay grade by id.
    PayGradeLoader, Uuid => entity::pay_grade::Model, domain::reward::compensation::grades_by_ids
);
batch_loader!(
    /// Background job by id.
    JobLoader, Uuid => entity::background_job::Model, domain::reward::run::jobs_by_ids
);
batch_loader!(
    /// Employee by id.
    EmployeeLoader, Uuid => employee::Model, employees::by_ids
);
batch_loader!(
    /// Department by id.
    DepartmentLoader, Uuid => department::Model, employees::departments_by_ids
);
batch_loader!(
    /// Direct reports by manager id.
    ReportsLoader, Uuid => Vec<employee::Model>, employees::reports_of
);
batch_loader!(
    /// Cycle by id.
    CycleLoader, Uuid => cycle::Model, cycles::by_ids
);
batch_loader!(
    /// Goal by id.
    GoalLoader, Uuid => goal::Model, goals::by_ids
);
batch_loader!(
    /// Child goals by parent id.
    ChildrenLoader, Uuid => Vec<goal::Model>, goals::children_of
);
batch_loader!(
    /// Key results by goal id.
    KeyResultsLoader, Uuid => Vec<key_result::Model>, goals::key_results_of
);
batch_loader!(
    /// Key result by id.
    KeyResultLoader, Uuid => key_result::Model, goals::key_results_by_ids
);
batch_loader!(
    /// Target revisions by goal id.
    RevisionsLoader, Uuid => Vec<goal_revision::Model>, goals::revisions_of
);
batch_loader!(
    /// Sub-departments by department id.
    DepartmentChildrenLoader, Uuid => Vec<department::Model>, employees::department_children_of
);
batch_loader!(
    /// Active people by department id.
    HeadcountLoader, Uuid => i64, employees::headcounts
);
batch_loader!(
    /// Latest check-in confidence by (employee, cycle).
    ConfidenceLoader, (Uuid, Uuid) => i32, goals::latest_confidences
);
batch_loader!(
    /// Check-in cadence by (employee, cycle).
    CadenceLoader, (Uuid, Uuid) => domain::values::Cadence, check_ins::cadences_of
);
batch_loader!(
    /// The check-in whose period contains a day, by (employee, day).
    ContainingCheckInLoader, (Uuid, NaiveDate) => check_in::Model, check_ins::containing
);
batch_loader!(
    /// History steps by goal id.
    GoalEventsLoader, Uuid => Vec<goal_event::Model>, goals::events_of
);
batch_loader!(
    /// Key-result updates by check-in id.
    CheckInUpdatesLoader, Uuid => Vec<key_result_update::Model>, check_ins::updates_of
);
batch_loader!(
    /// Action plans by goal id.
    MilestonesLoader, Uuid => Vec<milestone::Model>, goals::milestones_of
);
batch_loader!(
    /// Planning conversation by (employee, cycle).
    ConversationLoader, (Uuid, Uuid) => entity::planning_conversation::Model, domain::planning::of_employees
);
batch_loader!(
    /// Skill by id.
    SkillLoader, Uuid => entity::skill::Model, domain::skills::skills_by_ids
);
batch_loader!(
    /// Job profile by id.
    JobProfileLoader, Uuid => entity::job_profile::Model, domain::skills::profiles_by_ids
);
batch_loader!(
    /// Expected skills by job profile id.
    ProfileSkillsLoader, Uuid => Vec<entity::job_profile_skill::Model>, domain::skills::profile_skills_of
);
batch_loader!(
    /// Skill gap rows by employee id, largest first.
    SkillGapsLoader, Uuid => Vec<entity::skill_gap::Model>, domain::skills::gaps_of
);
batch_loader!(
    /// Development plan by id.
    PlanLoader, Uuid => entity::development_plan::Model, domain::develop::plans::plans_by_ids
);
batch_loader!(
    /// Items by development plan id, oldest first.
    PlanItemsLoader, Uuid => Vec<entity::development_item::Model>, domain::develop::plans::items_of
);
batch_loader!(
    /// A stretch assignment's required skills by item id.
    ItemSkillsLoader, Uuid => Vec<entity::development_item_skill::Model>, domain::develop::plans::required_skills_of
);
batch_loader!(
    /// Check-in by id.
    CheckInLoader, Uuid => check_in::Model, check_ins::by_ids
);
batch_loader!(
    /// Goals by (owner, cycle).
    OwnerGoalsLoader, (Uuid, Option<Uuid>) => Vec<goal::Model>, goals::of_owners
);

/// A request's (or a WebSocket connection's) loaders, built on first use: a subscription that
/// resolves no relation, like `activity`, never pays for them while it idles.
#[derive(Default)]
pub struct RequestLoaders(OnceLock<Loaders>);

impl RequestLoaders {
    /// The loaders, built over `db` the first time they are asked for.
    pub fn get(&self, db: &DatabaseConnection) -> &Loaders {
        self.0.get_or_init(|| Loaders::new(db))
    }
}

/// One set of loaders per request, so that caches never outlive a request or a viewer.
pub struct Loaders {
    /// Employee by id.
    pub employee: DataLoader<EmployeeLoader>,
    /// Department by id.
    pub department: DataLoader<DepartmentLoader>,
    /// Reports by manager.
    pub reports: DataLoader<ReportsLoader>,
    /// Cycle by id.
    pub cycle: DataLoader<CycleLoader>,
    /// Goal by id.
    pub goal: DataLoader<GoalLoader>,
    /// Children by goal.
    pub children: DataLoader<ChildrenLoader>,
    /// Key results by goal.
    pub key_results: DataLoader<KeyResultsLoader>,
    /// Key result by id.
    pub key_result: DataLoader<KeyResultLoader>,
    /// Revisions by goal.
    pub revisions: DataLoader<RevisionsLoader>,
    /// Sub-departments by department.
    pub department_children: DataLoader<DepartmentChildrenLoader>,
    /// Headcount by department.
    pub headcount: DataLoader<HeadcountLoader>,
    /// Latest check-in confidence by employee and cycle.
    pub confidence: DataLoader<ConfidenceLoader>,
    /// Cadence by employee and cycle.
    pub cadence: DataLoader<CadenceLoader>,
    /// Check-in by employee and a day of its period.
    pub containing_check_in: DataLoader<ContainingCheckInLoader>,
    /// History by goal.
    pub goal_events: DataLoader<GoalEventsLoader>,
    /// Goals by owner and cycle.
    pub owner_goals: DataLoader<OwnerGoalsLoader>,
    /// Key-result updates by check-in.
    pub check_in_updates: DataLoader<CheckInUpdatesLoader>,
    /// Check-in by id.
    pub check_in: DataLoader<CheckInLoader>,
    /// Action plans by goal.
    pub milestones: DataLoader<MilestonesLoader>,
    /// Planning conversation by employee and cycle.
    pub conversation: DataLoader<ConversationLoader>,
    /// Skill by id.
    pub skill: DataLoader<SkillLoader>,
    /// Job profile by id.
    pub job_profile: DataLoader<JobProfileLoader>,
    /// Expected skills by job profile.
    pub profile_skills: DataLoader<ProfileSkillsLoader>,
    /// Skill gaps by employee.
    pub skill_gaps: DataLoader<SkillGapsLoader>,
    /// Development plan by id.
    pub development_plan: DataLoader<PlanLoader>,
    /// Items by development plan.
    pub plan_items: DataLoader<PlanItemsLoader>,
    /// Required skills by development item.
    pub item_skills: DataLoader<ItemSkillsLoader>,
    /// Review rounds.
    pub review_round: DataLoader<RoundLoader>,
    /// Review templates.
    pub review_template: DataLoader<TemplateLoader>,
    /// Pay grades.
    pub pay_grade: DataLoader<PayGradeLoader>,
    /// Background jobs.
    pub background_job: DataLoader<JobLoader>,
}

impl Loaders {
    /// Fresh loaders over `db`.
    pub fn new(db: &DatabaseConnection) -> Self {
        fn make<L>(loader: L) -> DataLoader<L> {
            DataLoader::new(loader, tokio::spawn)
        }
        Self {
            employee: make(EmployeeLoader(db.clone())),
            department: make(DepartmentLoader(db.clone())),
            reports: make(ReportsLoader(db.clone())),
            cycle: make(CycleLoader(db.clone())),
            goal: make(GoalLoader(db.clone())),
            children: make(ChildrenLoader(db.clone())),
            key_results: make(KeyResultsLoader(db.clone())),
            key_result: make(KeyResultLoader(db.clone())),
            revisions: make(RevisionsLoader(db.clone())),
            department_children: make(DepartmentChildrenLoader(db.clone())),
            headcount: make(HeadcountLoader(db.clone())),
            confidence: make(ConfidenceLoader(db.clone())),
            cadence: make(CadenceLoader(db.clone())),
            containing_check_in: make(ContainingCheckInLoader(db.clone())),
            goal_events: make(GoalEventsLoader(db.clone())),
            owner_goals: make(OwnerGoalsLoader(db.clone())),
            check_in_updates: make(CheckInUpdatesLoader(db.clone())),
            check_in: make(CheckInLoader(db.clone())),
            milestones: make(MilestonesLoader(db.clone())),
            conversation: make(ConversationLoader(db.clone())),
            skill: make(SkillLoader(db.clone())),
            job_profile: make(JobProfileLoader(db.clone())),
            profile_skills: make(ProfileSkillsLoader(db.clone())),
            skill_gaps: make(SkillGapsLoader(db.clone())),
            development_plan: make(PlanLoader(db.clone())),
            plan_items: make(PlanItemsLoader(db.clone())),
            item_skills: make(ItemSkillsLoader(db.clone())),
            review_round: make(RoundLoader(db.clone())),
            review_template: make(TemplateLoader(db.clone())),
            pay_grade: make(PayGradeLoader(db.clone())),
            background_job: make(JobLoader(db.clone())),
        }
    }
}
