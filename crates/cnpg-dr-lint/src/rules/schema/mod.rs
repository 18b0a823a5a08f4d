//! Schema rules: every rendered object whose kind has a schema (the bundled
//! CNPG, Barman Cloud, Argo CD and External Secrets CRDs, plus `--schema-dir`)
//! is checked the way the API server would take it: undeclared fields
//! (pruned silently) and values the schema rejects.

use cnpg_dr_core::kustomize::Resource;
use cnpg_dr_core::yaml::Span;

use crate::finding::{Finding, RuleMeta};
use crate::rules::rule::{repository_finding, RepositoryContext, Settings, VariantContext};

pub mod schema_missing;
pub mod schema_violation;
pub mod unknown_field;

/// What a schema rule says about one object.
pub(crate) struct Found {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

/// A rule that looks at one object at a time, wherever it was rendered.
pub(crate) trait ObjectRule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check_object(&self, object: &Resource, settings: &Settings, out: &mut Vec<Found>);
}

/// "Cluster pg" (or "Cluster" when the object has no name), for messages.
pub(crate) fn describe(object: &Resource) -> String {
    match object.name() {
        "" => object.kind().to_string(),
        name => format!("{} {name}", object.kind()),
    }
}

/// Every object of a variant's render (in a dormant variant, those that differ from the active render's).
pub(crate) fn check_variant(
    rule: &dyn ObjectRule,
    ctx: &VariantContext<'_>,
    out: &mut Vec<Finding>,
) {
    let mut found = Vec::new();
    // A dormant render repeats most of the active one (the base): an object
    // identical to an active one, spans included, would only repeat its
    // findings, which the runner merges anyway.
    let active = if ctx.variant.dormant {
        ctx.database.active().resources()
    } else {
        &[]
    };
    for object in ctx.variant.resources() {
        if active.iter().any(|a| a.node == object.node) {
            continue;
        }
        rule.check_object(object, ctx.settings, &mut found);
    }
    for f in found {
        let mut finding = ctx.finding(rule.meta(), &f.span, f.message);
        finding.help = f.help;
        out.push(finding);
    }
}

/// Every loose object (YAML no kustomization includes: Argo CD apps, raw manifests).
pub(crate) fn check_repository(
    rule: &dyn ObjectRule,
    ctx: &RepositoryContext<'_>,
    out: &mut Vec<Finding>,
) {
    let mut found = Vec::new();
    for object in &ctx.repo.loose {
        rule.check_object(object, ctx.settings, &mut found);
    }
    for f in found {
        let mut finding = repository_finding(rule.meta(), &f.span, f.message);
        finding.help = f.help;
        out.push(finding);
    }
}

/// Implements [`Rule`] for an [`ObjectRule`].
macro_rules! object_rule {
    ($t:ty) => {
        impl $crate::rules::rule::Rule for $t {
            fn meta(&self) -> &'static $crate::finding::RuleMeta {
                <$t as $crate::rules::schema::ObjectRule>::meta(self)
            }
            fn check_variant(
                &self,
                ctx: &$crate::rules::rule::VariantContext<'_>,
                out: &mut Vec<$crate::finding::Finding>,
            ) {
                $crate::rules::schema::check_variant(self, ctx, out);
            }
            fn check_repository(
                &self,
                ctx: &$crate::rules::rule::RepositoryContext<'_>,
                out: &mut Vec<$crate::finding::Finding>,
            ) {
                $crate::rules::schema::check_repository(self, ctx, out);
            }
        }
    };
}
pub(crate) use object_rule;
