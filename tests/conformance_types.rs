//! The generated types say what the spec of record says: for every component
//! schema, the schemars schema of its Rust type has the same property names,
//! the same required set and the same enum values (on the property and on the
//! items of an array property).

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use threatjammer::types::*;

/// Spec schema name -> the Rust type generated for it (typify's PascalCase;
/// request bodies renamed `<OperationId>Body` by build.rs; `Problem` hand-written).
macro_rules! rust_types {
    ($($schema:literal => $ty:ty),* $(,)?) => {
        fn rust_schemas() -> BTreeMap<&'static str, Value> {
            BTreeMap::from([$((
                $schema,
                serde_json::to_value(schemars::schema_for!($ty)).expect("schemas serialise"),
            )),*])
        }
    };
}

rust_types! {
    "AclGroupOriginCollectionOutput" => AclGroupOriginCollectionOutput,
    "AclGroupOriginOutput" => AclGroupOriginOutput,
    "AclListCollectionOutput" => AclListCollectionOutput,
    "ActivityCollectionOutput" => ActivityCollectionOutput,
    "ActivityOutput" => ActivityOutput,
    "AutonomousSystemOutput" => AutonomousSystemOutput,
    "AutonomousSystemPrefixOutput" => AutonomousSystemPrefixOutput,
    "AutonomousSystemPrefixesOutput" => AutonomousSystemPrefixesOutput,
    "AutonomousSystemRegistryOutput" => AutonomousSystemRegistryOutput,
    "AutonomousSystemStatusOutput" => AutonomousSystemStatusOutput,
    "Body_assess_ip_set_csv_v1_assess_ip_csv_post" => BodyAssessIpSetCsvV1AssessIpCsvPost,
    "Body_assess_ip_set_csv_v1_geo_csv_post" => BodyAssessIpSetCsvV1GeoCsvPost,
    "Body_change_status_of_the_allowlist_v1_allowlist_public__allowlist_id__put" => SetPublicAllowlistStatusBody,
    "Body_change_status_of_the_denylist_v1_denylist_public__denylist_id__put" => SetPublicDenylistStatusBody,
    "Body_change_status_of_the_origin_allowlist_v1_allowlist_private__allowlist_id__origin_put" => SetPrivateAllowlistOriginStatusBody,
    "Body_change_status_of_the_origin_allowlist_v1_allowlist_public__allowlist_id__origin_put" => SetPublicAllowlistOriginStatusBody,
    "Body_change_status_of_the_origin_denylist_v1_denylist_private__denylist_id__origin_put" => SetPrivateDenylistOriginStatusBody,
    "Body_change_status_of_the_origin_denylist_v1_denylist_public__denylist_id__origin_put" => SetPublicDenylistOriginStatusBody,
    "Body_create_private_allowlist_of_the_user_v1_allowlist_private_post" => CreatePrivateAllowlistBody,
    "Body_create_private_denylist_of_the_user_v1_denylist_private_post" => CreatePrivateDenylistBody,
    "Body_delete_token_v1_origin_token_delete" => DeleteOriginTokenBody,
    "Body_disable_origin_token_v1_origin_token_disable_put" => DisableOriginTokenBody,
    "Body_enable_origin_token_v1_origin_token_enable_put" => EnableOriginTokenBody,
    "Body_parse_user_agents_csv_v1_ua_csv_post" => BodyParseUserAgentsCsvV1UaCsvPost,
    "Body_query_asn_prefix_information_v1_asn_prefix_post" => LookupAsnPrefixBody,
    "Body_query_datacenter_prefix_information_v1_datacenter_prefix_post" => LookupDatacenterPrefixBody,
    "Body_query_origin_status_v1_origin_status_post" => CheckOriginStatusBody,
    "Body_query_origin_token_info_v1_origin_token_post" => GetOriginTokenBody,
    "Body_update_configuration_origin_v1_origin_put" => UpdateOriginConfigBody,
    "Body_update_origin_status_v1_origin_status_put" => SetOriginStatusBody,
    "Body_update_private_allowlist_of_the_user_v1_allowlist_private__allowlist_id__put" => UpdatePrivateAllowlistBody,
    "Body_update_private_content_of_the_allowlist_of_the_user_v1_allowlist_private__allowlist_id__content_put" => UpdatePrivateAllowlistContentBody,
    "Body_update_private_content_of_the_denylist_of_the_user_v1_denylist_private__denylist_id__content_put" => UpdatePrivateDenylistContentBody,
    "Body_update_private_denylist_of_the_user_v1_denylist_private__denylist_id__put" => UpdatePrivateDenylistBody,
    "DatacenterOutput" => DatacenterOutput,
    "DatacenterPrefixOutput" => DatacenterPrefixOutput,
    "DatacenterPrefixesOutput" => DatacenterPrefixesOutput,
    "DatasetTypeCollectionOutput" => DatasetTypeCollectionOutput,
    "DatasetTypeOutput" => DatasetTypeOutput,
    "DeviceOutput" => DeviceOutput,
    "FamilyOutput" => FamilyOutput,
    "GeoIPCollectionOutput" => GeoIpCollectionOutput,
    "GeoIPOutput" => GeoIpOutput,
    "HTTPValidationError" => HttpValidationError,
    "IPAssessmentCollectionOutput" => IpAssessmentCollectionOutput,
    "IPAssessmentOutput" => IpAssessmentOutput,
    "IPListCollectionOutput" => IpListCollectionOutput,
    "IPListOutput" => IpListOutput,
    "IPLogCollectionOutput" => IpLogCollectionOutput,
    "IPLogOutput" => IpLogOutput,
    "OSOutput" => OsOutput,
    "OriginAddressStatusCollectionOutput" => OriginAddressStatusCollectionOutput,
    "OriginAddressStatusOutput" => OriginAddressStatusOutput,
    "OriginClientAnalysisCollectionOutput" => OriginClientAnalysisCollectionOutput,
    "OriginClientAnalysisOutput" => OriginClientAnalysisOutput,
    "OriginCollectionOutput" => OriginCollectionOutput,
    "OriginCookieIdStatusCollectionOutput" => OriginCookieIdStatusCollectionOutput,
    "OriginCookieIdStatusOutput" => OriginCookieIdStatusOutput,
    "OriginOutput" => OriginOutput,
    "OriginScriptsOutput" => OriginScriptsOutput,
    "OriginStatusDetailsCollectionOutput" => OriginStatusDetailsCollectionOutput,
    "OriginStatusDetailsOutput" => OriginStatusDetailsOutput,
    "OriginStatusOutput" => OriginStatusOutput,
    "OriginTokenCollectionOutput" => OriginTokenCollectionOutput,
    "OriginTokenInput" => OriginTokenInput,
    "OriginTokenOutput" => OriginTokenOutput,
    "OriginTrafficAnalysisCollectionOutput" => OriginTrafficAnalysisCollectionOutput,
    "OriginTrafficAnalysisOutput" => OriginTrafficAnalysisOutput,
    "PrivateAclGroupListCollectionOutput" => PrivateAclGroupListCollectionOutput,
    "PrivateAclGroupListInput" => PrivateAclGroupListInput,
    "PrivateAclGroupListOutput" => PrivateAclGroupListOutput,
    "PrivateAclListCollectionOutput" => PrivateAclListCollectionOutput,
    "Problem" => threatjammer::Problem,
    "PublicAclGroupListCollectionOutput" => PublicAclGroupListCollectionOutput,
    "PublicAclGroupListOutput" => PublicAclGroupListOutput,
    "SourceCollectionOutput" => SourceCollectionOutput,
    "SourceTimeRangeOutput" => SourceTimeRangeOutput,
    "TokenOutput" => TokenOutput,
    "TypeOutput" => TypeOutput,
    "UACollectionOutput" => UaCollectionOutput,
    "UAOutput" => UaOutput,
    "ValidationError" => ValidationError,
    "VendorOutput" => VendorOutput,
    "v1__models__source__SourceOutput" => SourceOutput,
    "v1__models__token__SourceOutput" => TokenSourceOutput,
}

/// Differences that are deliberate, each with its reason: (schema, property, why).
const DELIBERATE: &[(&str, &str, &str)] = &[(
    "Problem",
    "type:",
    "the misspelt key is read into `type` by a serde alias (build.rs adaptation 2), which schemars does not show",
)];

fn spec() -> Value {
    let text = std::fs::read_to_string("openapi/threatjammer.json").expect("the spec of record");
    serde_json::from_str(&text).expect("the spec of record is JSON")
}

/// Follows `$ref` (a JSON pointer into `root`), and `allOf`/`anyOf`/`oneOf`
/// wrappers around a single non-null schema, to the schema that says something.
fn resolve<'a>(mut schema: &'a Value, root: &'a Value) -> &'a Value {
    loop {
        if let Some(pointer) = schema.get("$ref").and_then(Value::as_str) {
            schema = root
                .pointer(pointer.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("dangling $ref {pointer}"));
            continue;
        }
        let wrapped = ["allOf", "anyOf", "oneOf"].iter().find_map(|k| {
            let alternatives: Vec<&Value> = schema
                .get(*k)?
                .as_array()?
                .iter()
                .filter(|s| s.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            match alternatives.as_slice() {
                [only] => Some(*only),
                _ => None,
            }
        });
        match wrapped {
            Some(inner) => schema = inner,
            None => return schema,
        }
    }
}

/// The enum values a schema allows, rendered as JSON; `None` when it is not an enum.
type EnumValues = Option<BTreeSet<String>>;

/// What the test compares of one object schema.
#[derive(Debug, PartialEq)]
struct Shape {
    properties: BTreeSet<String>,
    required: BTreeSet<String>,
    /// Properties with a default: the answer fields build adaptation 13 lets
    /// the service leave out (their empty value, reported as drift).
    defaulted: BTreeSet<String>,
    /// property -> enum values of the property, and of its items.
    enums: BTreeMap<String, (EnumValues, EnumValues)>,
}

fn enum_values(schema: &Value, root: &Value) -> EnumValues {
    let values = resolve(schema, root).get("enum")?.as_array()?;
    Some(values.iter().map(|v| v.to_string()).collect())
}

fn shape(schema: &Value, root: &Value) -> Shape {
    let schema = resolve(schema, root);
    let names = |key: &str| -> BTreeSet<String> {
        match schema.get(key) {
            Some(Value::Object(map)) => map.keys().cloned().collect(),
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => BTreeSet::new(),
        }
    };
    let required = names("required");
    // A required name is a member of the object even where the spec declares
    // no property for it (IPLogOutput's `debug`): typify generates a field for it.
    let properties = names("properties").union(&required).cloned().collect();
    let enums = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, property)| {
            let own = enum_values(property, root);
            let items = resolve(property, root)
                .get("items")
                .and_then(|items| enum_values(items, root));
            (name.clone(), (own, items))
        })
        .collect();
    let defaulted = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, property)| property.get("default").is_some())
        .map(|(name, _)| name.clone())
        .collect();
    Shape {
        properties,
        required,
        defaulted,
        enums,
    }
}

#[test]
fn every_component_schema_matches_its_rust_type() {
    let spec = spec();
    let schemas = spec["components"]["schemas"]
        .as_object()
        .expect("component schemas");
    let rust = rust_schemas();
    let mut problems = Vec::new();
    for (name, schema) in schemas {
        let Some(rust_root) = rust.get(name.as_str()) else {
            problems.push(format!("{name}: no Rust type listed in rust_types!"));
            continue;
        };
        let mut wanted = shape(schema, &spec);
        let mut got = shape(rust_root, rust_root);
        for (schema_name, property, _why) in DELIBERATE {
            if schema_name == name {
                wanted.properties.remove(*property);
                wanted.enums.remove(*property);
                got.properties.remove(*property);
                got.enums.remove(*property);
            }
        }
        if wanted.properties != got.properties {
            problems.push(format!(
                "{name}: properties {:?} in the spec, {:?} in Rust",
                wanted.properties, got.properties
            ));
        }
        // Required in the spec, optional in Rust only where Rust decodes an
        // absent field as its empty value (adaptation 13).
        let still_required: BTreeSet<String> = wanted
            .required
            .difference(&got.defaulted)
            .cloned()
            .collect();
        if still_required != got.required {
            problems.push(format!(
                "{name}: required {:?} in the spec ({:?} decoded when absent), {:?} in Rust",
                wanted.required, got.defaulted, got.required
            ));
        }
        for (property, (own, items)) in &wanted.enums {
            let (rust_own, rust_items) = got.enums.get(property).cloned().unwrap_or_default();
            if *own != rust_own || *items != rust_items {
                problems.push(format!(
                    "{name}.{property}: enum {own:?} (items {items:?}) in the spec, \
                     {rust_own:?} (items {rust_items:?}) in Rust"
                ));
            }
        }
    }
    for extra in rust.keys().filter(|k| !schemas.contains_key(**k)) {
        problems.push(format!(
            "{extra}: listed in rust_types! but not a schema of the spec"
        ));
    }
    assert!(
        problems.is_empty(),
        "generated types differ from the spec of record:\n{}",
        problems.join("\n")
    );
}
