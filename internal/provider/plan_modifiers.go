package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
)

// stateUnlessChanged keeps a computed value's prior state in the plan unless one of the
// attributes it is derived from changes. UseStateForUnknown would keep a stale value
// (the old token's user after a token change); no modifier at all would show every
// computed value as "known after apply" on any update, hiding what really changes.
func stateUnlessChanged(dependencies ...string) stateUnlessChangedModifier {
	return stateUnlessChangedModifier{dependencies: dependencies}
}

type stateUnlessChangedModifier struct {
	dependencies []string
}

func (m stateUnlessChangedModifier) Description(context.Context) string {
	return "keeps the prior value unless an attribute it is derived from changes"
}

func (m stateUnlessChangedModifier) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m stateUnlessChangedModifier) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || !req.PlanValue.IsUnknown() {
		return // create, destroy, or a value the plan already knows
	}
	for _, name := range m.dependencies {
		var planned, prior attr.Value
		if diags := req.Plan.GetAttribute(ctx, path.Root(name), &planned); diags.HasError() {
			return
		}
		if diags := req.State.GetAttribute(ctx, path.Root(name), &prior); diags.HasError() {
			return
		}
		if !planned.Equal(prior) {
			return
		}
	}
	resp.PlanValue = req.StateValue
}
