//! A kustomize renderer whose output is byte-identical to `kubectl kustomize`
//! (Kustomize v5.5.0), written without Go, network or processes. Every value in
//! the output keeps the span of the file that set it (the base, or the overlay
//! patch that overrode it).

mod build;
mod error;
mod fieldspec;
mod generate;
mod json6902;
mod kustomization;
mod order;
mod replacement;
mod resource;
mod select;
mod smp;
mod transform;

pub use build::{render, render_cached, LoadRestrictor, ParseCache, RenderOptions, Rendered};
pub use error::{RenderError, RenderErrorKind};
pub use kustomization::{Kustomization, KustomizationKind, Selector, KUSTOMIZATION_FILE_NAMES};
pub use resource::{Gvk, ResId, Resource};
/// kustomize's `namespace:` transformer (what Flux's `targetNamespace` runs).
pub use transform::namespace as set_namespace;
