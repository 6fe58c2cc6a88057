// Validation against the Compose Specification JSON schema (compose/schema/, embedded),
// as Docker Compose validates: the keywords that schema uses (type, enum, pattern,
// minimum/maximum, required, properties/patternProperties/additionalProperties, items,
// uniqueItems, oneOf, $ref), and compose-go's choice of the one error to report (the most
// specific: the deepest key path, an unknown key counting one deeper) and its wording:
// "services.web additional properties 'portz' not allowed",
// "services.web.ports must be a array", "services.foo.environment.FOO must be a boolean,
// null, number or string". pc adds the file, line and column of the offending node.
#pragma once

#include "compose/node.hpp"

namespace pc::compose {

// The schema text (generated from compose/schema/compose-spec.json).
const char* compose_spec_schema_text();

// Throws pc::Error (exit 1) when `model` (a merged, not yet canonical compose document)
// does not satisfy the schema.
void validate_schema(const Node& model);

}  // namespace pc::compose
