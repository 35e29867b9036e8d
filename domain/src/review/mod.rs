//! The review stage: templates, rounds and their launch, peer nomination, writing reviews,
//! what each viewer may see of them (the anonymity rules), the versioned score, calibration,
//! release and acknowledgement.

pub mod access;
pub mod calibration;
pub mod close;
pub mod launch;
pub mod peers;
pub mod release;
pub mod reminders;
pub mod rounds;
pub mod score;
pub mod stats;
pub mod summary;
pub mod templates;
pub mod writing;
