package provider

import (
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	ephschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
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

// parameterDataSourceAttributes are the attributes of one parameter in a data source schema.
func parameterDataSourceAttributes() map[string]dsschema.Attribute {
	return map[string]dsschema.Attribute{
		"name":  dsschema.StringAttribute{Required: true, MarkdownDescription: parameterNameDescription, Validators: []validator.String{parameterNameValidator{}}},
		"value": dsschema.StringAttribute{Optional: true, MarkdownDescription: parameterValueDescription},
		"type":  dsschema.StringAttribute{Optional: true, MarkdownDescription: parameterTypeDescription, Validators: []validator.String{parameterTypeValidator{}}},
	}
}

// parameterEphemeralAttributes are the attributes of one parameter in an ephemeral
// resource schema.
func parameterEphemeralAttributes() map[string]ephschema.Attribute {
	return map[string]ephschema.Attribute{
		"name":  ephschema.StringAttribute{Required: true, MarkdownDescription: parameterNameDescription, Validators: []validator.String{parameterNameValidator{}}},
		"value": ephschema.StringAttribute{Optional: true, MarkdownDescription: parameterValueDescription},
		"type":  ephschema.StringAttribute{Optional: true, MarkdownDescription: parameterTypeDescription, Validators: []validator.String{parameterTypeValidator{}}},
	}
}
