//! perfcycle's server: GraphQL over HTTP and WebSocket on actix-web, the `perfcycle`
//! command's pieces.

pub mod auth;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod exports;
pub mod graphql;
pub mod http;
pub mod jobs;
pub mod live;
pub mod metrics;
pub mod ratelimit;
pub mod request_id;
pub mod startup;
pub mod telemetry;
pub mod ws;

pub use config::Config;
pub use startup::Application;
