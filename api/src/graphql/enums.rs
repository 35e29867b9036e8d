//! The `mirror_enum!` macro that puts a domain enum on the wire, and the enums that more
//! than one stage shows.

/// Declares a GraphQL enum with the variants of `domain::values::$name`, conversions both
/// ways.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $crate::graphql::enums::mirror_enum!(
            @emit [] $(#[$meta])* $name { $($(#[$vmeta])* $variant),+ }
        );
    };
    // `as "Name"`: the GraphQL type's name when the domain's alone would be vague.
    ($(#[$meta:meta])* $name:ident as $gql:literal { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $crate::graphql::enums::mirror_enum!(
            @emit [#[graphql(name = $gql)]] $(#[$meta])* $name { $($(#[$vmeta])* $variant),+ }
        );
    };
    (@emit [$($extra:tt)*] $(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
        $($extra)*
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl From<domain::values::$name> for $name {
            fn from(v: domain::values::$name) -> Self {
                match v { $(domain::values::$name::$variant => Self::$variant),+ }
            }
        }

        impl From<$name> for domain::values::$name {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => Self::$variant),+ }
            }
        }
    };
}

pub(crate) use mirror_enum;

mirror_enum!(
    /// How often check-ins open.
    Cadence { Weekly, Biweekly, Monthly }
);
mirror_enum!(
    /// Who may read a goal or a piece of feedback. Individual goals are always private.
    Visibility {
        /// Everyone in the organisation: a company or team goal, or praise shown to all.
        Public,
        /// A goal: its owner, their managers and HR. Feedback: its author, its recipient, the
        /// recipient's managers and HR.
        Private,
    }
);
