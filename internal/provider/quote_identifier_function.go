package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

var _ function.Function = (*quoteIdentifierFunction)(nil)

func newQuoteIdentifierFunction() function.Function {
	return &quoteIdentifierFunction{}
}

// quoteIdentifierFunction is provider::dbsql::quote_identifier.
type quoteIdentifierFunction struct{}

func (f *quoteIdentifierFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "quote_identifier"
}

func (f *quoteIdentifierFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Quotes a name as a Databricks SQL identifier",
		MarkdownDescription: "Returns `name` in back-quotes, with embedded back-quotes doubled: a Databricks SQL identifier that reads " +
			"back as exactly `name`.\n\n" +
			"Prefer parameters, which are never spliced into the statement: named parameters (`parameters`) for values, and " +
			"`IDENTIFIER(:name)` for a table, view, column, schema or catalog name, which Databricks SQL takes in queries, in `CREATE`, " +
			"`ALTER` and `DROP`, and in the target of `INSERT`, `MERGE`, `UPDATE` and `DELETE`: " +
			"`SELECT count(*) FROM IDENTIFIER(:table)` with `parameters = [{ name = \"table\", value = \"main.sales.orders\" }]`. " +
			"Quote only where neither fits, such as the principal and the securable of a `GRANT` or `REVOKE`. " +
			"Qualified names are quoted part by part: " +
			"`join(\".\", [for part in [\"main\", \"sales\", \"my table\"] : provider::dbsql::quote_identifier(part)])`.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "name", MarkdownDescription: "The name to quote: a catalog, schema, table, column or principal."},
		},
		Return: function.StringReturn{},
	}
}

func (f *quoteIdentifierFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var name string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &name))
	if resp.Error != nil {
		return
	}
	if name == "" {
		resp.Error = function.NewArgumentFuncError(0, "The name is empty: Databricks SQL has no empty identifiers.")
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, databricks.QuoteIdentifier(name)))
}
