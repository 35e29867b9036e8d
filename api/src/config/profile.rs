//! The production profile (`PERFCYCLE_ENV=production`): what a security reviewer expects of a
//! server holding everyone's ratings and pay. GraphiQL, introspection and field suggestions
//! are off (asking for GraphiQL or introspection explicitly is an error, not a silent
//! override), the token secret must be configured (a generated one would differ between
//! replicas and vanish with the container), and plain HTTP on a non-loopback address is
//! refused unless `PERFCYCLE_BEHIND_PROXY` says a proxy in front terminates TLS.

use super::{Config, ConfigError, Layered};
use std::net::IpAddr;

impl Config {
    /// Applies `PERFCYCLE_ENV` to the resolved settings.
    pub(super) fn with_profile(mut self, l: &Layered) -> Result<Self, ConfigError> {
        let (env, source) = l.get("env");
        match env.trim() {
            "development" => return Ok(self),
            "production" => {}
            other => {
                return Err(ConfigError(format!(
                    "{source}: {other:?} is neither development nor production"
                )));
            }
        }
        self.production = true;
        self.suggestions = false;
        for key in ["graphiql", "introspection"] {
            let (_, from) = l.get(key);
            if from != format!("default {key}") && l.flag(key)? {
                return Err(ConfigError(format!(
                    "{from}: {key} stays off in production (PERFCYCLE_ENV=production)"
                )));
            }
        }
        self.graphiql = false;
        self.introspection = false;
        match &self.jwt_secret {
            None => {
                return Err(ConfigError(
                    "PERFCYCLE_JWT_SECRET: production needs a configured secret of 32+ \
                     characters; a generated one would differ between replicas"
                        .to_owned(),
                ));
            }
            // docker-compose.yml's stand-in for trying it: public, so anyone could sign tokens.
            Some(secret) if secret.starts_with("change-me") => {
                return Err(ConfigError(
                    "PERFCYCLE_JWT_SECRET: that is the published placeholder; production \
                     needs a secret of your own (e.g. `openssl rand -base64 48`)"
                        .to_owned(),
                ));
            }
            Some(_) => {}
        }
        if !is_loopback(&self.host) && !self.behind_proxy {
            return Err(ConfigError(format!(
                "PERFCYCLE_HOST: {} is not a loopback address and perfcycle speaks plain HTTP: \
                 put a proxy that terminates TLS in front and set PERFCYCLE_BEHIND_PROXY=true, \
                 or listen on 127.0.0.1",
                self.host
            )));
        }
        Ok(self)
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use std::collections::BTreeMap;

    const SECRET: &str = "a-production-secret-of-at-least-32-characters";

    fn load(pairs: &[(&str, &str)]) -> Result<Config, String> {
        let env: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .chain([("PERFCYCLE_ENV".to_owned(), "production".to_owned())])
            .collect();
        let file = std::env::temp_dir().join("perfcycle-profile-tests-empty.toml");
        std::fs::write(&file, "").map_err(|e| e.to_string())?;
        Config::from_sources(Some(&file), &env).map_err(|e| e.to_string())
    }

    #[test]
    fn production_turns_the_developer_aids_off() {
        let c = load(&[("PERFCYCLE_JWT_SECRET", SECRET)]).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.production);
        assert!(!c.graphiql && !c.introspection && !c.suggestions);
        let dev = Config::from_sources(None, &BTreeMap::new()).map_err(|e| e.to_string());
        let dev = dev.unwrap_or_else(|e| panic!("{e}"));
        assert!(!dev.production && dev.graphiql && dev.introspection && dev.suggestions);
    }

    #[test]
    fn production_refuses_what_it_cannot_honour() {
        let refused = |pairs: &[(&str, &str)], needle: &str| {
            let err = load(pairs).err().unwrap_or_default();
            assert!(err.contains(needle), "{pairs:?}: {err}");
        };
        refused(&[], "PERFCYCLE_JWT_SECRET");
        refused(
            &[(
                "PERFCYCLE_JWT_SECRET",
                "change-me-to-a-long-random-secret-of-32-chars-or-more",
            )],
            "the published placeholder",
        );
        refused(
            &[
                ("PERFCYCLE_JWT_SECRET", SECRET),
                ("PERFCYCLE_GRAPHIQL", "true"),
            ],
            "PERFCYCLE_GRAPHIQL: graphiql stays off",
        );
        refused(
            &[
                ("PERFCYCLE_JWT_SECRET", SECRET),
                ("PERFCYCLE_INTROSPECTION", "yes"),
            ],
            "PERFCYCLE_INTROSPECTION: introspection stays off",
        );
        for host in ["0.0.0.0", "::", "10.1.2.3", "perfcycle.example.com"] {
            refused(
                &[("PERFCYCLE_JWT_SECRET", SECRET), ("PERFCYCLE_HOST", host)],
                "PERFCYCLE_BEHIND_PROXY=true",
            );
        }
        let err = Config::from_sources(
            None,
            &[("PERFCYCLE_ENV".to_owned(), "prod".to_owned())]
                .into_iter()
                .collect(),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("PERFCYCLE_ENV"), "{err}");
    }

    #[test]
    fn production_takes_what_it_can_honour() {
        let ok = |pairs: &[(&str, &str)]| {
            load(pairs).unwrap_or_else(|e| panic!("{pairs:?}: {e}"));
        };
        for host in ["127.0.0.1", "localhost", "::1", "[::1]"] {
            ok(&[("PERFCYCLE_JWT_SECRET", SECRET), ("PERFCYCLE_HOST", host)]);
        }
        ok(&[
            ("PERFCYCLE_JWT_SECRET", SECRET),
            ("PERFCYCLE_HOST", "0.0.0.0"),
            ("PERFCYCLE_BEHIND_PROXY", "true"),
        ]);
        ok(&[
            ("PERFCYCLE_JWT_SECRET", SECRET),
            ("PERFCYCLE_GRAPHIQL", "false"),
            ("PERFCYCLE_INTROSPECTION", "off"),
        ]);
    }
}
