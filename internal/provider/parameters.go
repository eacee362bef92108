package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Descriptions of a statement parameter's attributes, shared by every schema that takes
// parameters.
const (
	parameterNameDescription  = "The marker's name, without the colon: letters, digits and underscores, not starting with a digit."
	parameterValueDescription = "The value, as text; Databricks casts it to `type`. Null binds SQL `NULL`."
	parameterTypeDescription  = "The value's SQL type, e.g. `INT`, `BIGINT`, `DOUBLE`, `DECIMAL(10,2)`, `BOOLEAN`, `DATE`, `TIMESTAMP`. " +
		"Default `STRING`. `ARRAY`, `MAP` and `STRUCT` are not supported by Databricks."
)

// parameterListValidators check a parameters list as a whole.
func parameterListValidators() []validator.List {
	return []validator.List{uniqueParameterNamesValidator{}}
}

// parameterResourceAttributes are the attributes of one parameter in a resource schema.
func parameterResourceAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"name": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: parameterNameDescription,
			Validators:          []validator.String{parameterNameValidator{}},
		},
		"value": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: parameterValueDescription,
		},
		"type": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: parameterTypeDescription,
			Validators:          []validator.String{parameterTypeValidator{}},
		},
	}
}
