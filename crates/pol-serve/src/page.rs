//! The intake page at `/`: plain HTML, CSS and JavaScript, embedded in the binary, loading
//! nothing from elsewhere (the content security policy says so to the browser too).
//!
//! The page reads `/v1/policies` for the questions, asks the first fact of the decision's
//! `missing` list next (the engine ranks it best first), and shows the explanation from
//! `/v1/explain` once the case is decided, with `counterfactuals` when the explanation has
//! them.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A static file of the page: its content type and text.
pub(crate) struct Asset {
    content_type: &'static str,
    text: &'static str,
}

pub(crate) const INDEX: Asset =
    Asset { content_type: "text/html; charset=utf-8", text: include_str!("page/index.html") };

pub(crate) const SCRIPT: Asset =
    Asset { content_type: "text/javascript; charset=utf-8", text: include_str!("page/app.js") };

pub(crate) const STYLE: Asset =
    Asset { content_type: "text/css; charset=utf-8", text: include_str!("page/style.css") };

/// Nothing but this origin: no outside scripts, styles, fonts or frames.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub(crate) fn asset(asset: Asset) -> Response {
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        asset.text,
    )
        .into_response()
}
