package provider

import (
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// statementArguments say where a statement runs and what it binds: the arguments that
// dbsql_query (data source and ephemeral) and dbsql_statement share.
type statementArguments struct {
	ConnectionInfo *connectionInfoModel `tfsdk:"connection_info"`
	WarehouseID    types.String         `tfsdk:"warehouse_id"`
	Catalog        types.String         `tfsdk:"catalog"`
	Schema         types.String         `tfsdk:"schema"`
	Parameters     []parameterModel     `tfsdk:"parameters"`
}

type parameterModel struct {
	Name  types.String `tfsdk:"name"`
	Value types.String `tfsdk:"value"`
	Type  types.String `tfsdk:"type"`
}

// connectionRequest asks for the connection and warehouse the statement runs on.
func (a statementArguments) connectionRequest(c caller) connectionRequest {
	return connectionRequest{caller: c, info: a.ConnectionInfo, needsWarehouse: true, warehouseID: a.WarehouseID}
}

// statementParameters converts the parameters argument for the client. A null value is
// sent as SQL NULL; a null type as Databricks' default, STRING.
func (a statementArguments) statementParameters() []databricks.StatementParameter {
	out := make([]databricks.StatementParameter, 0, len(a.Parameters))
	for _, p := range a.Parameters {
		sp := databricks.StatementParameter{Name: p.Name.ValueString(), Type: p.Type.ValueString()}
		if !p.Value.IsNull() {
			v := p.Value.ValueString()
			sp.Value = &v
		}
		out = append(out, sp)
	}
	return out
}

var (
	statementWarehouseIDSpec = withDescription(warehouseIDSpec, "The SQL warehouse to run on. Else `connection_info.warehouse_id`, "+
		"else the provider's `warehouse_id` (or `"+envWarehouseID+"`).")
	catalogSpec    = stringSpec{description: "The catalog unqualified names resolve in, e.g. `samples`."}
	schemaSpec     = stringSpec{description: "The schema unqualified names resolve in, e.g. `nyctaxi`."}
	parametersSpec = listNestedSpec{
		description: "Named parameters bound to `:name` markers in the statement.",
		validators:  []validator.List{uniqueParameterNamesValidator{}},
		attributes: attributeSpecs{
			"name": stringSpec{
				presence:    required,
				description: "The marker's name, without the colon: letters, digits and underscores, not starting with a digit.",
				validators:  []validator.String{parameterNameValidator()},
			},
			"value": stringSpec{description: "The value, as text; Databricks casts it to `type`. Null binds SQL `NULL`."},
			"type": stringSpec{
				description: "The value's SQL type, e.g. `INT`, `BIGINT`, `DOUBLE`, `DECIMAL(10,2)`, `BOOLEAN`, `DATE`, `TIMESTAMP`. " +
					"Default `STRING`. `ARRAY`, `MAP` and `STRUCT` are not supported by Databricks.",
				validators: []validator.String{parameterTypeValidator()},
			},
		},
	}
)

// statementArgumentSpecs are the attributes of statementArguments.
func statementArgumentSpecs() attributeSpecs {
	return attributeSpecs{
		"connection_info": connectionInfoSpec,
		"warehouse_id":    statementWarehouseIDSpec,
		"catalog":         catalogSpec,
		"schema":          schemaSpec,
		"parameters":      parametersSpec,
	}
}

// replacesResource notes in a resource's description that changing it replaces the resource.
const replacesResource = " Changing it replaces the resource."

// replacingString is spec in a resource whose change replaces the resource.
func replacingString(spec stringSpec) rsschema.StringAttribute {
	a := withDescription(spec, spec.description+replacesResource).resourceString()
	a.PlanModifiers = []planmodifier.String{stringplanmodifier.RequiresReplace()}
	return a
}
