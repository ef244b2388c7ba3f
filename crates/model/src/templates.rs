//! Starting points for a new distribution ("New distribution from template" in the console):
//! each [`Template`] builds a complete `DistributionConfig` that validates without errors and
//! uses CloudFront's managed policies the way the Developer Guide recommends for that use.
//!
//! Domain names are placeholders (`example-site-bucket.s3.us-east-1.amazonaws.com`,
//! `api.example.com`) to be replaced; S3 origins carry an empty `OriginAccessIdentity`, ready for
//! an origin access control.
//!
//! ```
//! use cfconsole_model::templates::Template;
//! let c = Template::SpaWithErrorPages.build("2025-01-01T00:00:00Z");
//! assert_eq!(c.custom_error_responses.unwrap().len(), 2);
//! ```

use crate::list::List;
use crate::origin_kind::apply_defaults;
use crate::policies::{
    managed_cache_policy, managed_origin_request_policy, managed_response_headers_policy,
};
use crate::shapes::{
    AllowedMethods, CacheBehavior, CustomErrorResponse, DefaultCacheBehavior, DistributionConfig,
    GeoRestriction, GeoRestrictionType, HttpVersion, Method, Origin, PriceClass, Restrictions,
    ViewerCertificate, ViewerProtocolPolicy,
};

/// A kind of distribution to start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Template {
    /// A static website from an S3 bucket.
    StaticSiteS3,
    /// A single-page application: every unknown path answers `/index.html` with 200.
    SpaWithErrorPages,
    /// Static assets from S3 and an API under `/api/*` from a custom origin, not cached.
    ApiPlusStatic,
    /// Large media files and downloads from S3.
    MediaDownloads,
}

impl Template {
    /// Every template, in the order the console lists them.
    pub const ALL: [Template; 4] = [
        Template::StaticSiteS3,
        Template::SpaWithErrorPages,
        Template::ApiPlusStatic,
        Template::MediaDownloads,
    ];

    /// A short name for a menu entry.
    pub const fn label(self) -> &'static str {
        match self {
            Template::StaticSiteS3 => "Static site on S3",
            Template::SpaWithErrorPages => "Single-page app with error pages",
            Template::ApiPlusStatic => "API plus static assets",
            Template::MediaDownloads => "Media downloads",
        }
    }

    /// One or two sentences saying what the template sets up.
    pub const fn description(self) -> &'static str {
        match self {
            Template::StaticSiteS3 => {
                "An S3 bucket behind CloudFront: HTTPS enforced, index.html at the root, cached \
                 with CachingOptimized and compressed, security headers added."
            }
            Template::SpaWithErrorPages => {
                "A static site whose client-side router handles every path: 403 and 404 from the \
                 bucket answer /index.html with status 200."
            }
            Template::ApiPlusStatic => {
                "Static assets from an S3 bucket, and /api/* sent to a custom origin over HTTPS \
                 with all methods, nothing cached (CachingDisabled) and every viewer header but \
                 Host forwarded."
            }
            Template::MediaDownloads => {
                "Large files from an S3 bucket: /media/* and /downloads/* cached long without \
                 compression (already compressed formats, byte ranges), in the least expensive \
                 price class."
            }
        }
    }

    /// A complete distribution configuration for this template, with `caller_reference`.
    pub fn build(self, caller_reference: &str) -> DistributionConfig {
        let mut c = base(caller_reference, self.label());
        match self {
            Template::StaticSiteS3 => {}
            Template::SpaWithErrorPages => {
                c.custom_error_responses = Some(List::new(
                    [403, 404]
                        .into_iter()
                        .map(|code| CustomErrorResponse {
                            error_code: code,
                            response_page_path: Some("/index.html".into()),
                            response_code: Some("200".into()),
                            error_caching_min_ttl: Some(10),
                        })
                        .collect(),
                ));
            }
            Template::ApiPlusStatic => {
                c.origins.items_mut().push(origin("api", "api.example.com"));
                c.origins.sync_quantity();
                c.cache_behaviors = Some(List::new(vec![CacheBehavior {
                    path_pattern: "/api/*".into(),
                    target_origin_id: "api".into(),
                    viewer_protocol_policy: ViewerProtocolPolicy::HttpsOnly,
                    allowed_methods: Some(methods(&[
                        Method::GET,
                        Method::HEAD,
                        Method::OPTIONS,
                        Method::PUT,
                        Method::POST,
                        Method::PATCH,
                        Method::DELETE,
                    ])),
                    compress: Some(true),
                    cache_policy_id: Some(cache_id("CachingDisabled")),
                    origin_request_policy_id: Some(origin_request_id("AllViewerExceptHostHeader")),
                    ..Default::default()
                }]));
            }
            Template::MediaDownloads => {
                c.price_class = Some(PriceClass::PriceClass100);
                let media = |pattern: &str| CacheBehavior {
                    path_pattern: pattern.into(),
                    target_origin_id: "s3-site".into(),
                    viewer_protocol_policy: ViewerProtocolPolicy::RedirectToHttps,
                    allowed_methods: Some(methods(&[Method::GET, Method::HEAD])),
                    // Video, audio and archives are compressed already; compressing them again
                    // costs time and breaks byte ranges for nothing.
                    compress: Some(false),
                    cache_policy_id: Some(cache_id("CachingOptimizedForUncompressedObjects")),
                    ..Default::default()
                };
                c.cache_behaviors = Some(List::new(vec![media("/media/*"), media("/downloads/*")]));
            }
        }
        c
    }
}

impl std::fmt::Display for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The parts every template shares: one S3 origin, HTTPS enforced, CachingOptimized with
/// security headers, HTTP/2 and HTTP/3, IPv6, the default certificate, no geo restriction.
fn base(caller_reference: &str, comment: &str) -> DistributionConfig {
    DistributionConfig {
        caller_reference: caller_reference.into(),
        aliases: Some(List::default()),
        default_root_object: Some("index.html".into()),
        origins: List::new(vec![origin(
            "s3-site",
            "example-site-bucket.s3.us-east-1.amazonaws.com",
        )]),
        default_cache_behavior: DefaultCacheBehavior {
            target_origin_id: "s3-site".into(),
            viewer_protocol_policy: ViewerProtocolPolicy::RedirectToHttps,
            allowed_methods: Some(methods(&[Method::GET, Method::HEAD])),
            compress: Some(true),
            cache_policy_id: Some(cache_id("CachingOptimized")),
            response_headers_policy_id: Some(response_headers_id("SecurityHeadersPolicy")),
            ..Default::default()
        },
        comment: comment.into(),
        price_class: Some(PriceClass::PriceClassAll),
        enabled: true,
        viewer_certificate: Some(ViewerCertificate {
            cloud_front_default_certificate: Some(true),
            ..Default::default()
        }),
        restrictions: Some(Restrictions {
            geo_restriction: GeoRestriction {
                restriction_type: GeoRestrictionType::None,
                quantity: 0,
                items: None,
            },
        }),
        http_version: Some(HttpVersion::Http2and3),
        is_ipv6_enabled: Some(true),
        ..Default::default()
    }
}

/// An origin with the settings its domain's kind needs ([`apply_defaults`]).
fn origin(id: &str, domain: &str) -> Origin {
    let mut o = Origin {
        id: id.into(),
        domain_name: domain.into(),
        origin_path: Some(String::new()),
        ..Default::default()
    };
    apply_defaults(&mut o);
    o
}

/// Allowed methods, with GET and HEAD cached (and OPTIONS when allowed).
fn methods(allowed: &[Method]) -> AllowedMethods {
    let cached: Vec<Method> = allowed
        .iter()
        .copied()
        .filter(|m| matches!(m, Method::GET | Method::HEAD))
        .collect();
    AllowedMethods {
        quantity: i32::try_from(allowed.len()).unwrap_or(i32::MAX),
        items: allowed.to_vec(),
        cached_methods: Some(List::new(cached)),
    }
}

fn cache_id(name: &str) -> String {
    managed_cache_policy(name)
        .map(|p| p.id.clone())
        .unwrap_or_else(|| panic!("managed cache policy {name} exists (tested)"))
}

fn origin_request_id(name: &str) -> String {
    managed_origin_request_policy(name)
        .map(|p| p.id.clone())
        .unwrap_or_else(|| panic!("managed origin request policy {name} exists (tested)"))
}

fn response_headers_id(name: &str) -> String {
    managed_response_headers_policy(name)
        .map(|p| p.id.clone())
        .unwrap_or_else(|| panic!("managed response headers policy {name} exists (tested)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::behavior::BehaviorView;
    use crate::document::Document;
    use crate::origin_kind::{OriginKind, recognize};
    use crate::pattern::select_behavior;
    use crate::shapes::OriginProtocolPolicy;

    #[test]
    fn every_template_validates_and_round_trips() {
        for t in Template::ALL {
            let c = t.build("ref-1");
            assert_eq!(c.caller_reference, "ref-1");
            assert_eq!(c.comment, t.label());
            let findings = crate::validate(&c);
            assert!(findings.is_empty(), "{t:?}: {findings:#?}");
            let doc = Document::new(c.clone());
            let text = doc.to_json_pretty();
            let back = Document::from_json(&text).unwrap_or_else(|e| panic!("{t:?}: {e}"));
            assert_eq!(back.config, c, "{t:?}");
            assert_eq!(back.to_json_pretty(), text, "{t:?}");
        }
    }

    #[test]
    fn labels_and_descriptions() {
        let rows = [
            (Template::StaticSiteS3, "Static site on S3"),
            (
                Template::SpaWithErrorPages,
                "Single-page app with error pages",
            ),
            (Template::ApiPlusStatic, "API plus static assets"),
            (Template::MediaDownloads, "Media downloads"),
        ];
        assert_eq!(rows.len(), Template::ALL.len());
        for (t, label) in rows {
            assert_eq!(t.label(), label);
            assert_eq!(t.to_string(), label);
            assert!(t.description().ends_with('.'), "{t:?}");
        }
    }

    /// Which behavior, origin, cache policy and compression serve a path, per template.
    #[test]
    fn paths_are_served_as_intended() {
        let optimized = cache_id("CachingOptimized");
        let disabled = cache_id("CachingDisabled");
        let uncompressed = cache_id("CachingOptimizedForUncompressedObjects");
        let rows: &[(Template, &str, &str, &str, bool)] = &[
            (
                Template::StaticSiteS3,
                "/index.html",
                "s3-site",
                &optimized,
                true,
            ),
            (
                Template::SpaWithErrorPages,
                "/app/route",
                "s3-site",
                &optimized,
                true,
            ),
            (
                Template::ApiPlusStatic,
                "/api/users",
                "api",
                &disabled,
                true,
            ),
            (
                Template::ApiPlusStatic,
                "/assets/app.js",
                "s3-site",
                &optimized,
                true,
            ),
            (
                Template::MediaDownloads,
                "/media/film.mp4",
                "s3-site",
                &uncompressed,
                false,
            ),
            (
                Template::MediaDownloads,
                "/downloads/x.zip",
                "s3-site",
                &uncompressed,
                false,
            ),
            (
                Template::MediaDownloads,
                "/index.html",
                "s3-site",
                &optimized,
                true,
            ),
        ];
        for (t, path, origin, policy, compress) in rows {
            let c = t.build("r");
            let b = match select_behavior(&c, path).index {
                Some(i) => {
                    BehaviorView::ordered(i, &c.cache_behaviors.as_ref().unwrap().items()[i])
                }
                None => BehaviorView::default_behavior(&c.default_cache_behavior),
            };
            assert_eq!(b.target_origin_id, *origin, "{t:?} {path}");
            assert_eq!(b.cache_policy_id, Some(*policy), "{t:?} {path}");
            assert_eq!(b.compress, Some(*compress), "{t:?} {path}");
        }
    }

    #[test]
    fn template_specifics() {
        let spa = Template::SpaWithErrorPages.build("r");
        let pages = spa.custom_error_responses.unwrap();
        let codes: Vec<(i32, &str, &str)> = pages
            .iter()
            .map(|p| {
                (
                    p.error_code,
                    p.response_page_path.as_deref().unwrap(),
                    p.response_code.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            codes,
            [(403, "/index.html", "200"), (404, "/index.html", "200")]
        );

        let api = Template::ApiPlusStatic.build("r");
        let o = &api.origins.items()[1];
        assert_eq!(recognize(&o.domain_name), OriginKind::Custom);
        let cc = o.custom_origin_config.as_ref().unwrap();
        assert_eq!(cc.origin_protocol_policy, OriginProtocolPolicy::HttpsOnly);
        let b = &api.cache_behaviors.as_ref().unwrap().items()[0];
        assert_eq!(b.allowed_methods.as_ref().unwrap().items.len(), 7);
        assert_eq!(
            b.origin_request_policy_id.as_deref(),
            Some(origin_request_id("AllViewerExceptHostHeader").as_str())
        );

        let media = Template::MediaDownloads.build("r");
        assert_eq!(media.price_class, Some(PriceClass::PriceClass100));

        for t in Template::ALL {
            let c = t.build("r");
            let s3 = &c.origins.items()[0];
            assert_eq!(recognize(&s3.domain_name), OriginKind::S3Bucket, "{t:?}");
            assert_eq!(
                s3.s3_origin_config.as_ref().unwrap().origin_access_identity,
                "",
                "{t:?}"
            );
        }
    }
}
