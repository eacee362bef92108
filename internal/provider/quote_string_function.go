package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

var _ function.Function = (*quoteStringFunction)(nil)

func newQuoteStringFunction() function.Function {
	return &quoteStringFunction{}
}

// quoteStringFunction is provider::dbsql::quote_string.
type quoteStringFunction struct{}

func (f *quoteStringFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "quote_string"
}

func (f *quoteStringFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Quotes a value as a Databricks SQL string literal",
		MarkdownDescription: "Returns `value` as a Databricks SQL string literal that reads back as exactly `value`: in single quotes, with " +
			"backslashes, quotes, newlines, carriage returns and tabs escaped, and every other control character (NUL too) written as `\\u00XX`, which no following character can change. Prefer a named parameter (`parameters`) wherever the " +
			"statement allows one; use this where it does not, such as a `COMMENT` in DDL.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "value", MarkdownDescription: "The text to quote."},
		},
		Return: function.StringReturn{},
	}
}

func (f *quoteStringFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var value string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &value))
	if resp.Error != nil {
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, databricks.QuoteString(value)))
}
