//! File exports over HTTP, with the same bearer auth as `/graphql`: `GET
//! /exports/rewards.csv?run=<id>` is a reward run's payroll export (HR only). Errors are JSON
//! in the GraphQL error shape, with the matching status (401, 403, 404, 400, 500).

use crate::graphql::RequestAuth;
use crate::graphql::errors::{code, to_gql};
use crate::http::{AppState, authenticate};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use domain::DomainError;
use serde::Deserialize;
use serde_json::json;

/// The export's query string.
#[derive(Deserialize)]
pub struct RewardsQuery {
    run: Option<String>,
}

fn error(status: StatusCode, message: &str, code: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/json; charset=utf-8"))
        .body(
            json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
                .to_string(),
        )
}

fn domain_error(e: DomainError) -> HttpResponse {
    let status = match &e {
        DomainError::Unauthenticated => StatusCode::UNAUTHORIZED,
        DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
        DomainError::NotFound(_) => StatusCode::NOT_FOUND,
        DomainError::BadInput { .. } => StatusCode::BAD_REQUEST,
        DomainError::Conflict(_) => StatusCode::CONFLICT,
        DomainError::Database(_) | DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let err = to_gql(e);
    let code = err
        .extensions
        .as_ref()
        .and_then(|x| x.get("code"))
        .map(|c| c.to_string().trim_matches('"').to_owned())
        .unwrap_or_else(|| code::INTERNAL.to_owned());
    error(status, &err.message, &code)
}

/// GET /exports/rewards.csv?run=<id>.
pub async fn rewards_csv(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<RewardsQuery>,
) -> HttpResponse {
    let viewer = match authenticate(&state, &req).await {
        Ok(RequestAuth::Viewer(v)) => *v,
        Ok(RequestAuth::Anonymous) => {
            return error(
                StatusCode::UNAUTHORIZED,
                "authentication required: send Authorization: Bearer <token>",
                code::UNAUTHENTICATED,
            );
        }
        Ok(RequestAuth::Refused(why)) => {
            return error(StatusCode::UNAUTHORIZED, &why, code::UNAUTHENTICATED);
        }
        Err(e) => return domain_error(e),
    };
    let Some(run) = query.run.as_deref() else {
        return domain_error(DomainError::bad("run", "give the run's id: ?run=<id>"));
    };
    let Ok(run) = uuid::Uuid::parse_str(run) else {
        return domain_error(DomainError::bad("run", "not a valid id"));
    };
    match domain::reward::read::export_csv(&state.ctx, &viewer, run).await {
        Ok(csv) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"rewards-{run}.csv\""),
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(csv),
        Err(e) => domain_error(e),
    }
}
