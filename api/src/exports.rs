//! File exports over HTTP, with the same bearer auth as `/graphql`: `GET
//! /exports/rewards.csv?run=<id>` is a reward run's payroll export (HR only); `GET
//! /exports/person.json?employee=<id>` is everything held about one person (HR only). Errors are JSON
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

/// The bearer token's viewer, or the response refusing the request.
async fn viewer(state: &AppState, req: &HttpRequest) -> Result<domain::Viewer, HttpResponse> {
    match authenticate(state, req).await {
        Ok(RequestAuth::Viewer(v)) => Ok(*v),
        Ok(RequestAuth::Anonymous) => Err(error(
            StatusCode::UNAUTHORIZED,
            "authentication required: send Authorization: Bearer <token>",
            code::UNAUTHENTICATED,
        )),
        Ok(RequestAuth::Refused(why)) => {
            Err(error(StatusCode::UNAUTHORIZED, &why, code::UNAUTHENTICATED))
        }
        Err(e) => Err(domain_error(e)),
    }
}

/// A required id in the query string (`?name=<id>`).
fn id_param(value: Option<&str>, name: &str) -> Result<uuid::Uuid, DomainError> {
    let value =
        value.ok_or_else(|| DomainError::bad(name, format!("give the id: ?{name}=<id>")))?;
    uuid::Uuid::parse_str(value).map_err(|_| DomainError::bad(name, "not a valid id"))
}

/// The person export's query string.
#[derive(Deserialize)]
pub struct PersonQuery {
    employee: Option<String>,
}

/// GET /exports/person.json?employee=<id>: everything held about one person (HR only;
/// audited), see `domain::privacy::export`.
pub async fn person_json(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<PersonQuery>,
) -> HttpResponse {
    let viewer = match viewer(&state, &req).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let id = match id_param(query.employee.as_deref(), "employee") {
        Ok(id) => id,
        Err(e) => return domain_error(e),
    };
    match domain::privacy::export(&state.ctx, &viewer, id).await {
        Ok(document) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "application/json; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"person-{id}.json\""),
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(document.to_string()),
        Err(e) => domain_error(e),
    }
}

/// GET /exports/rewards.csv?run=<id>.
pub async fn rewards_csv(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<RewardsQuery>,
) -> HttpResponse {
    let viewer = match viewer(&state, &req).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let run = match id_param(query.run.as_deref(), "run") {
        Ok(id) => id,
        Err(e) => return domain_error(e),
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
