package provider

import (
	"context"
	"fmt"
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
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

var (
	_ resource.Resource                = (*statementResource)(nil)
	_ resource.ResourceWithConfigure   = (*statementResource)(nil)
	_ resource.ResourceWithImportState = (*statementResource)(nil)
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
	Verify      types.String   `tfsdk:"verify"`
	Triggers    types.Map      `tfsdk:"triggers"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
	ID          types.String   `tfsdk:"id"`
	StatementID types.String   `tfsdk:"statement_id"`
	// VerifyResult is set straight into the state's raw value (setStatementState): its
	// type is the type of verify's row, known only once it ran.
	VerifyResult types.Dynamic `tfsdk:"verify_result"`
}

// The statement resource names itself, and the timeout that bounds the statement it runs.
var (
	statementExecuteCaller = caller{name: "dbsql_statement", timeoutAttribute: "timeouts.create"}
	statementRevertCaller  = caller{name: "dbsql_statement", timeoutAttribute: "timeouts.delete"}
	// verify runs within the create timeout after execute, and within timeouts.read
	// on a refresh or when only verify changed.
	statementCreateVerifyCaller = caller{name: "dbsql_statement", timeoutAttribute: "timeouts.create"}
	statementVerifyCaller       = caller{name: "dbsql_statement", timeoutAttribute: "timeouts.read"}
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
			"nothing in state. Read-only statements belong in the `dbsql_query` data source.\n\n" +
			"With `verify`, the resource sees drift: on every refresh `verify` runs, and when it says `execute`'s effect no longer " +
			"stands (someone revoked the grant, dropped the table), the resource leaves the state with a warning, so the plan shows it " +
			"being created again and the next apply runs `execute` once more. " + verifyRule,
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
			Validators:          []validator.String{statementValidator{}},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"revert": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "The statement that undoes `execute`, run on destroy and before a replacement, with the same parameters. " +
				"Changing it alone runs nothing.",
			Validators: []validator.String{statementValidator{}},
		},
		"verify": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "A read-only statement that says whether `execute`'s effect still stands, run after `execute` on create and on " +
				"every refresh, with the same parameters. " + verifyRule + " Checked at plan time like `dbsql_query`'s statement. " +
				"Changing it alone runs nothing but `verify`.",
			Validators: []validator.String{verifyValidator},
		},
		"verify_result": schema.DynamicAttribute{
			Computed: true,
			MarkdownDescription: "The first row of the last `verify` run, an object keyed by column name with values typed as " +
				"`dbsql_query` types them; null without `verify` or when it returned no rows.",
			PlanModifiers: []planmodifier.Dynamic{stateUnlessChanged("verify")},
		},
		"triggers": schema.MapAttribute{
			ElementType:         types.StringType,
			Optional:            true,
			MarkdownDescription: "Arbitrary values whose change runs the statement again (replaces the resource), e.g. `{ version = \"2\" }`.",
			PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
		},
		"timeouts": timeouts.Attributes(ctx, timeouts.Opts{
			Create:            true,
			Read:              true,
			Delete:            true,
			CreateDescription: "How long `execute`, and `verify` after it, may take, including a warehouse's cold start. Default `\"20m\"`.",
			ReadDescription:   "How long `verify` may take on a refresh, or when only `verify` changed. Default `\"20m\"`.",
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
	deadline := time.Now().Add(timeout)
	id, diags := r.run(ctx, statementExecuteCaller, plan, "execute", timeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return // nothing in state: the statement did not (certainly) succeed
	}
	plan.ID = types.StringValue(id)
	plan.StatementID = types.StringValue(id)
	result := nullVerifyResult
	if !plan.Verify.IsNull() {
		// execute ran: whatever verify says, the state must know it, so that revert
		// runs on destroy. An error with a state taints the resource: the next apply
		// runs revert and execute again rather than forgetting what ran.
		v, diags := r.verify(ctx, statementCreateVerifyCaller, plan, time.Until(deadline))
		resp.Diagnostics.Append(diags...)
		if v != nil {
			result = v.firstRow
			if !v.stands {
				resp.Diagnostics.AddAttributeError(pathVerify, "Verify Disagrees With Execute",
					fmt.Sprintf("execute ran (statement %s), but verify says its effect does not stand: %s (verify statement %s). "+
						"Check that verify tests what execute does: a verify that never holds would have the resource created again on "+
						"every apply. The resource is saved as tainted, so the next apply runs revert and execute again.", id, v.reason, v.statementID))
			}
		}
	}
	resp.Diagnostics.Append(setStatementState(ctx, &resp.State, &plan, result)...)
}

// Read runs verify, when there is one: a statement's effect is not an object the API
// can describe, but verify can say whether it still stands.
func (r *statementResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state statementModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || state.Verify.IsNull() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultStatementTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	v, diags := r.verify(ctx, statementVerifyCaller, state, timeout)
	if diags.HasError() {
		// Only a verify that ran and answered may say the effect is gone: an outage, a
		// revoked token or a failing verify must never plan running every statement again.
		for _, d := range diags {
			if d.Severity() != diag.SeverityError {
				resp.Diagnostics.Append(d)
				continue
			}
			resp.Diagnostics.AddAttributeWarning(pathVerify, "Verify Failed During Refresh",
				d.Summary()+": "+d.Detail()+"\n\nThe resource is kept as it was: only a verify that runs and answers can say execute's effect is gone.")
		}
		return
	}
	resp.Diagnostics.Append(diags...)
	if !v.stands {
		resp.Diagnostics.AddAttributeWarning(pathVerify, "Statement No Longer Stands",
			fmt.Sprintf("verify says execute's effect no longer stands: %s (verify statement %s; execute ran as statement %s). "+
				"The resource is removed from state: the plan shows it being created again, and the next apply runs execute once more.",
				v.reason, v.statementID, state.StatementID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(setStatementState(ctx, &resp.State, &state, v.firstRow)...)
}

// Update stores what changes without running anything (revert, the connection, the
// warehouse, the timeouts), except a changed verify, which runs. Everything that
// changes what execute does replaces the resource.
func (r *statementResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan statementModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var result tftypes.Value
	switch {
	case !plan.VerifyResult.IsUnknown():
		// verify is unchanged: its last result stands.
		var err error
		if result, err = attributeOf(req.State.Raw, "verify_result"); err != nil {
			resp.Diagnostics.AddError("Unexpected State Error", fmt.Sprintf("Reading verify_result: %v. This is a bug in the provider.", err))
			return
		}
	case plan.Verify.IsNull():
		result = nullVerifyResult
	default:
		timeout, diags := plan.Timeouts.Read(ctx, defaultStatementTimeout)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		v, diags := r.verify(ctx, statementVerifyCaller, plan, timeout)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return // the prior state stands
		}
		if !v.stands {
			resp.Diagnostics.AddAttributeError(pathVerify, "Verify Disagrees With Execute",
				fmt.Sprintf("The new verify says execute's effect does not stand: %s (verify statement %s). Nothing was changed: "+
					"fix verify so that it tests what execute does, or remove it.", v.reason, v.statementID))
			return
		}
		result = v.firstRow
	}
	resp.Diagnostics.Append(setStatementState(ctx, &resp.State, &plan, result)...)
}

// ImportState refuses: a statement's effect is not a remote object with an id to import.
func (r *statementResource) ImportState(_ context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.AddError("Import Not Supported",
		"dbsql_statement has nothing remote to import: a statement's effect is not an object with an id. Declare the resource "+
			"with execute and verify instead: the first apply runs execute (write it so that running it again is harmless, e.g. "+
			"CREATE ... IF NOT EXISTS or GRANT), and from then on verify says on every refresh whether its effect still stands.")
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
	_, diags = r.run(ctx, statementRevertCaller, state, "revert", timeout)
	resp.Diagnostics.Append(diags...)
}

// run runs m's execute or revert (attribute) to completion within timeout.
func (r *statementResource) run(ctx context.Context, c caller, m statementModel, attribute string, timeout time.Duration) (string, diag.Diagnostics) {
	statement := m.Execute.ValueString()
	if attribute == "revert" {
		statement = m.Revert.ValueString()
	}
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
		fail.statement = nameStatement(attribute, statement)
		fail.addError(&diags)
		return id, diags
	}
	tflog.Debug(ctx, "Statement ran", map[string]any{"statement_id": id, "warehouse_id": conn.warehouseID})
	return id, diags
}
