package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
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
	if m.keepsState(ctx, req.State, req.Plan, req.PlanValue) {
		resp.PlanValue = req.StateValue
	}
}

func (m stateUnlessChangedModifier) PlanModifyDynamic(ctx context.Context, req planmodifier.DynamicRequest, resp *planmodifier.DynamicResponse) {
	if m.keepsState(ctx, req.State, req.Plan, req.PlanValue) {
		resp.PlanValue = req.StateValue
	}
}

// keepsState reports whether an unknown planned value is to be the prior state's: on an
// update in which none of the dependencies changed.
func (m stateUnlessChangedModifier) keepsState(ctx context.Context, state tfsdk.State, plan tfsdk.Plan, planned attr.Value) bool {
	if state.Raw.IsNull() || plan.Raw.IsNull() || !planned.IsUnknown() {
		return false // create, destroy, or a value the plan already knows
	}
	for _, name := range m.dependencies {
		var after, before attr.Value
		if diags := plan.GetAttribute(ctx, path.Root(name), &after); diags.HasError() {
			return false
		}
		if diags := state.GetAttribute(ctx, path.Root(name), &before); diags.HasError() {
			return false
		}
		if !after.Equal(before) {
			return false
		}
	}
	return true
}
