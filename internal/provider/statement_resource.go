package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

var (
	_ resource.Resource              = (*statementResource)(nil)
	_ resource.ResourceWithConfigure = (*statementResource)(nil)
)

const defaultStatementTimeout = 20 * time.Minute

func newStatementResource() resource.Resource {
	return &statementResource{}
}

// statementResource is dbsql_statement: a statement run on apply (a GRANT, a CREATE, a
// MERGE) and undone on destroy. This is where writes belong; dbsql_query only reads.
type statementResource struct {
	data *providerData
}

type statementModel struct {
	statementArguments
	Execute     types.String   `tfsdk:"execute"`
	Revert      types.String   `tfsdk:"revert"`
	Triggers    types.Map      `tfsdk:"triggers"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
	ID          types.String   `tfsdk:"id"`
	StatementID types.String   `tfsdk:"statement_id"`
}

// The statement resource names itself, and the timeout that bounds the statement it runs.
var (
	statementExecuteCaller = caller{name: "dbsql_statement", timeoutAttribute: "timeouts.create"}
	statementRevertCaller  = caller{name: "dbsql_statement", timeoutAttribute: "timeouts.delete"}
)

func (r *statementResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_statement"
}

func (r *statementResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs a SQL statement on apply and, when `revert` is set, its undo on destroy: a `GRANT` and its `REVOKE`, a " +
			"`CREATE` and its `DROP`. Changing `execute`, `parameters`, `triggers`, `catalog` or `schema` replaces the resource: `revert` " +
			"runs, then the new `execute`.\n\n" +
			"A statement is sent once: if the connection drops after it may have reached the warehouse, the apply fails rather than risk " +
			"running it twice (requests Databricks refused with 429 or 503 are retried). A failing `execute` fails the apply and leaves " +
			"nothing in state. Read-only statements belong in the `dbsql_query` data source.",
		Attributes: statementAttributes(ctx),
	}
}

// statementAttributes are the resource's attributes: the shared statement arguments,
// those that change what runs replacing the resource.
func statementAttributes(ctx context.Context) map[string]schema.Attribute {
	attributes := statementArgumentSpecs().resource()
	attributes["catalog"] = replacingString(catalogSpec)
	attributes["schema"] = replacingString(schemaSpec)
	parameters := parametersSpec.resourceList()
	parameters.MarkdownDescription += " `execute` and `revert` bind the same ones." + replacesResource
	parameters.PlanModifiers = []planmodifier.List{listplanmodifier.RequiresReplace()}
	attributes["parameters"] = parameters
	for name, attribute := range map[string]schema.Attribute{
		"execute": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "The statement to run on create. Refer to parameters as `:name`. Changing it replaces the resource.",
			Validators:          []validator.String{notBlankStatementValidator{}},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"revert": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "The statement that undoes `execute`, run on destroy and before a replacement, with the same parameters. " +
				"Changing it alone runs nothing.",
			Validators: []validator.String{notBlankStatementValidator{}},
		},
		"triggers": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "Arbitrary values whose change runs the statement again (replaces the resource), e.g. `{ version = \"2\" }`.",
			PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
		},
		"timeouts": timeouts.Attributes(ctx, timeouts.Opts{
			Create:            true,
			Delete:            true,
			CreateDescription: "How long `execute` may take, including a warehouse's cold start. Default `\"20m\"`.",
			DeleteDescription: "How long `revert` may take. Default `\"20m\"`.",
		}),
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The statement id of the `execute` run.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"statement_id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The Databricks statement id of the `execute` run, for the warehouse's query history.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	} {
		attributes[name] = attribute
	}
	return attributes
}

func (r *statementResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *statementResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan statementModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultStatementTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return // a write must not run without the bound it was given
	}
	id, diags := r.run(ctx, statementExecuteCaller, plan, plan.Execute.ValueString(), timeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return // nothing in state: the statement did not (certainly) succeed
	}
	plan.ID = types.StringValue(id)
	plan.StatementID = types.StringValue(id)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read has nothing to read: a statement's effect is not an object the API can describe.
func (r *statementResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

// Update stores what changes without running anything: revert, the connection, the
// warehouse, the timeouts. Everything that changes what runs replaces the resource.
func (r *statementResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan statementModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *statementResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state statementModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || state.Revert.IsNull() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultStatementTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, diags = r.run(ctx, statementRevertCaller, state, state.Revert.ValueString(), timeout)
	resp.Diagnostics.Append(diags...)
}

// run runs one statement of m to completion within timeout.
func (r *statementResource) run(ctx context.Context, c caller, m statementModel, statement string, timeout time.Duration) (string, diag.Diagnostics) {
	ctx, conn, diags := r.data.connect(ctx, m.connectionRequest(c))
	if diags.HasError() {
		return "", diags
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id, err := conn.client.Run(ctx, databricks.RunRequest{
		WarehouseID: conn.warehouseID,
		Catalog:     m.Catalog.ValueString(),
		Schema:      m.Schema.ValueString(),
		Statement:   statement,
		Parameters:  m.statementParameters(),
	})
	if err != nil {
		fail := conn.failure(stepRunStatement, err)
		fail.statement = statement
		fail.addError(&diags)
		return id, diags
	}
	tflog.Debug(ctx, "Statement ran", map[string]any{"statement_id": id, "warehouse_id": conn.warehouseID})
	return id, diags
}
