package provider

import (
	"context"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

var (
	_ datasource.DataSource                     = (*warehousesDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*warehousesDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*warehousesDataSource)(nil)
)

func newWarehousesDataSource() datasource.DataSource {
	return &warehousesDataSource{}
}

// warehousesDataSource is dbsql_warehouses: the SQL warehouses a token can see, so that a
// pipeline can look one up by name instead of pasting its id.
type warehousesDataSource struct {
	data *providerData
}

// warehousesCaller names the data source in messages.
var warehousesCaller = caller{name: "data.dbsql_warehouses", timeoutAttribute: "timeouts.read"}

type warehousesModel struct {
	ConnectionInfo *connectionInfoModel `tfsdk:"connection_info"`
	Name           types.String         `tfsdk:"name"`
	NameRegex      types.String         `tfsdk:"name_regex"`
	Timeouts       timeouts.Value       `tfsdk:"timeouts"`
	ID             types.String         `tfsdk:"id"`
	Warehouses     []warehouseModel     `tfsdk:"warehouses"`
}

// defaultListTimeout bounds listing the warehouses: every page, with the retries of
// throttled requests, when timeouts.read is not set.
const defaultListTimeout = 5 * time.Minute

type warehouseModel struct {
	ID                      types.String `tfsdk:"id"`
	Name                    types.String `tfsdk:"name"`
	State                   types.String `tfsdk:"state"`
	ClusterSize             types.String `tfsdk:"cluster_size"`
	WarehouseType           types.String `tfsdk:"warehouse_type"`
	EnableServerlessCompute types.Bool   `tfsdk:"enable_serverless_compute"`
	Health                  types.String `tfsdk:"health"`
}

func (d *warehousesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_warehouses"
}

func (d *warehousesDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the SQL warehouses the connection's token can see, optionally filtered by name, so that a configuration " +
			"can find a warehouse by name instead of pasting its id.",
		Attributes: map[string]schema.Attribute{
			"connection_info": connectionInfoSpec.dataSource(),
			"name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the warehouses with exactly this name.",
			},
			"name_regex": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the warehouses whose name matches this regular expression (Go syntax, e.g. `^etl-`).",
				Validators:          []validator.String{regexValidator()},
			},
			"timeouts": timeouts.AttributesWithOpts(ctx, timeouts.Opts{
				ReadDescription: "How long listing the warehouses may take, every page and the retries of throttled requests included, " +
					"e.g. `\"2m\"`. Default `\"5m\"`.",
			}),
			"id": computed("The workspace host the list comes from."),
			"warehouses": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The warehouses, in the order Databricks lists them.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":                        computed("The warehouse id, for `warehouse_id`."),
						"name":                      computed("The warehouse name."),
						"state":                     computed("`RUNNING`, `STARTING`, `STOPPED`, `STOPPING`, `DELETING` or `DELETED`."),
						"cluster_size":              computed("The size, e.g. `2X-Small`."),
						"warehouse_type":            computed("`CLASSIC` or `PRO`."),
						"enable_serverless_compute": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the warehouse is serverless."},
						"health":                    computed("The health status: `HEALTHY`, `DEGRADED` or `FAILED`; null when Databricks reports none."),
					},
				},
			},
		},
	}
}

func (d *warehousesDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.Conflicting(path.MatchRoot("name"), path.MatchRoot("name_regex")),
	}
}

func (d *warehousesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *warehousesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m warehousesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := m.Timeouts.Read(ctx, defaultListTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, conn, diags := d.data.connect(ctx, connectionRequest{caller: warehousesCaller, info: m.ConnectionInfo})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	listCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	all, err := conn.client.ListWarehouses(listCtx)
	if err != nil {
		conn.failure(stepListWarehouses, err).addError(&resp.Diagnostics)
		return
	}

	keep := func(databricks.Warehouse) bool { return true }
	switch {
	case !m.Name.IsNull():
		keep = func(w databricks.Warehouse) bool { return w.Name == m.Name.ValueString() }
	case !m.NameRegex.IsNull():
		re, err := regexp.Compile(m.NameRegex.ValueString())
		if err != nil { // a value only known at apply skipped the validator
			resp.Diagnostics.AddAttributeError(path.Root("name_regex"), "Invalid Regular Expression", err.Error())
			return
		}
		keep = func(w databricks.Warehouse) bool { return re.MatchString(w.Name) }
	}
	m.Warehouses = []warehouseModel{}
	for _, w := range all {
		if !keep(w) {
			continue
		}
		health := types.StringNull()
		if w.Health != nil && w.Health.Status != "" {
			health = types.StringValue(w.Health.Status)
		}
		m.Warehouses = append(m.Warehouses, warehouseModel{
			ID:                      types.StringValue(w.ID),
			Name:                    types.StringValue(w.Name),
			State:                   types.StringValue(w.State),
			ClusterSize:             types.StringValue(w.ClusterSize),
			WarehouseType:           types.StringValue(w.WarehouseType),
			EnableServerlessCompute: types.BoolValue(w.EnableServerlessCompute),
			Health:                  health,
		})
	}
	m.ID = types.StringValue(conn.client.BaseURL().Host())
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
