package provider

import (
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	ephschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// The framework gives each kind of schema (resource, data source, ephemeral resource,
// provider) attribute types of its own, though they describe the same things. An
// argument that several objects share (base_url, statement, parameters) is described
// once here, as an attribute spec, and built for each kind of schema, so that its
// description and validators cannot drift apart. What only a resource has (plan
// modifiers, defaults) is added by the resource to what its builder returns.

// presence says whether an attribute is set by the user, by the provider, or either.
type presence int

const (
	optional presence = iota
	required
	computed
	optionalComputed
)

func (p presence) flags() (isRequired, isOptional, isComputed bool) {
	return p == required, p == optional || p == optionalComputed, p == computed || p == optionalComputed
}

// attributeSpec is one attribute, described once, for every kind of schema.
type attributeSpec interface {
	resource() rsschema.Attribute
	dataSource() dsschema.Attribute
	ephemeral() ephschema.Attribute
}

// attributeSpecs are the attributes of one object.
type attributeSpecs map[string]attributeSpec

func (s attributeSpecs) resource() map[string]rsschema.Attribute {
	out := make(map[string]rsschema.Attribute, len(s))
	for name, spec := range s {
		out[name] = spec.resource()
	}
	return out
}

func (s attributeSpecs) dataSource() map[string]dsschema.Attribute {
	out := make(map[string]dsschema.Attribute, len(s))
	for name, spec := range s {
		out[name] = spec.dataSource()
	}
	return out
}

func (s attributeSpecs) ephemeral() map[string]ephschema.Attribute {
	out := make(map[string]ephschema.Attribute, len(s))
	for name, spec := range s {
		out[name] = spec.ephemeral()
	}
	return out
}

// stringSpec is a string attribute.
type stringSpec struct {
	presence    presence
	sensitive   bool
	description string
	validators  []validator.String
}

func (s stringSpec) resourceString() rsschema.StringAttribute {
	req, opt, comp := s.presence.flags()
	return rsschema.StringAttribute{Required: req, Optional: opt, Computed: comp, Sensitive: s.sensitive, MarkdownDescription: s.description, Validators: s.validators}
}

func (s stringSpec) resource() rsschema.Attribute { return s.resourceString() }

// resourceOptionalComputed is the attribute in a resource that fills it when unset.
func (s stringSpec) resourceOptionalComputed() rsschema.StringAttribute {
	a := s.resourceString()
	a.Optional, a.Computed = true, true
	return a
}

func (s stringSpec) dataSource() dsschema.Attribute {
	req, opt, comp := s.presence.flags()
	return dsschema.StringAttribute{Required: req, Optional: opt, Computed: comp, Sensitive: s.sensitive, MarkdownDescription: s.description, Validators: s.validators}
}

func (s stringSpec) ephemeral() ephschema.Attribute {
	req, opt, comp := s.presence.flags()
	return ephschema.StringAttribute{Required: req, Optional: opt, Computed: comp, Sensitive: s.sensitive, MarkdownDescription: s.description, Validators: s.validators}
}

// provider builds the attribute for the provider block, where every argument is optional.
func (s stringSpec) provider() pschema.StringAttribute {
	return pschema.StringAttribute{Optional: true, Sensitive: s.sensitive, MarkdownDescription: s.description, Validators: s.validators}
}

// int64Spec is a whole-number attribute.
type int64Spec struct {
	presence    presence
	description string
	validators  []validator.Int64
}

func (s int64Spec) resourceInt64() rsschema.Int64Attribute {
	req, opt, comp := s.presence.flags()
	return rsschema.Int64Attribute{Required: req, Optional: opt, Computed: comp, MarkdownDescription: s.description, Validators: s.validators}
}

func (s int64Spec) resource() rsschema.Attribute { return s.resourceInt64() }

func (s int64Spec) dataSource() dsschema.Attribute {
	req, opt, comp := s.presence.flags()
	return dsschema.Int64Attribute{Required: req, Optional: opt, Computed: comp, MarkdownDescription: s.description, Validators: s.validators}
}

func (s int64Spec) ephemeral() ephschema.Attribute {
	req, opt, comp := s.presence.flags()
	return ephschema.Int64Attribute{Required: req, Optional: opt, Computed: comp, MarkdownDescription: s.description, Validators: s.validators}
}

func (s int64Spec) provider() pschema.Int64Attribute {
	return pschema.Int64Attribute{Optional: true, MarkdownDescription: s.description, Validators: s.validators}
}

// boolSpec is a computed boolean.
type boolSpec struct {
	description string
}

func (s boolSpec) resource() rsschema.Attribute {
	return rsschema.BoolAttribute{Computed: true, MarkdownDescription: s.description}
}

func (s boolSpec) dataSource() dsschema.Attribute {
	return dsschema.BoolAttribute{Computed: true, MarkdownDescription: s.description}
}

func (s boolSpec) ephemeral() ephschema.Attribute {
	return ephschema.BoolAttribute{Computed: true, MarkdownDescription: s.description}
}

// dynamicSpec is a computed value whose type the provider only knows once it has it (rows).
type dynamicSpec struct {
	description string
}

func (s dynamicSpec) resource() rsschema.Attribute {
	return rsschema.DynamicAttribute{Computed: true, MarkdownDescription: s.description}
}

func (s dynamicSpec) dataSource() dsschema.Attribute {
	return dsschema.DynamicAttribute{Computed: true, MarkdownDescription: s.description}
}

func (s dynamicSpec) ephemeral() ephschema.Attribute {
	return ephschema.DynamicAttribute{Computed: true, MarkdownDescription: s.description}
}

// listNestedSpec is a list of objects.
type listNestedSpec struct {
	presence    presence
	description string
	validators  []validator.List
	attributes  attributeSpecs
}

func (s listNestedSpec) resourceList() rsschema.ListNestedAttribute {
	req, opt, comp := s.presence.flags()
	return rsschema.ListNestedAttribute{
		Required: req, Optional: opt, Computed: comp, MarkdownDescription: s.description, Validators: s.validators,
		NestedObject: rsschema.NestedAttributeObject{Attributes: s.attributes.resource()},
	}
}

func (s listNestedSpec) resource() rsschema.Attribute { return s.resourceList() }

func (s listNestedSpec) dataSource() dsschema.Attribute {
	req, opt, comp := s.presence.flags()
	return dsschema.ListNestedAttribute{
		Required: req, Optional: opt, Computed: comp, MarkdownDescription: s.description, Validators: s.validators,
		NestedObject: dsschema.NestedAttributeObject{Attributes: s.attributes.dataSource()},
	}
}

func (s listNestedSpec) ephemeral() ephschema.Attribute {
	req, opt, comp := s.presence.flags()
	return ephschema.ListNestedAttribute{
		Required: req, Optional: opt, Computed: comp, MarkdownDescription: s.description, Validators: s.validators,
		NestedObject: ephschema.NestedAttributeObject{Attributes: s.attributes.ephemeral()},
	}
}

// singleNestedSpec is one optional object.
type singleNestedSpec struct {
	description string
	attributes  attributeSpecs
}

func (s singleNestedSpec) resource() rsschema.Attribute {
	return rsschema.SingleNestedAttribute{Optional: true, MarkdownDescription: s.description, Attributes: s.attributes.resource()}
}

func (s singleNestedSpec) dataSource() dsschema.Attribute {
	return dsschema.SingleNestedAttribute{Optional: true, MarkdownDescription: s.description, Attributes: s.attributes.dataSource()}
}

func (s singleNestedSpec) ephemeral() ephschema.Attribute {
	return ephschema.SingleNestedAttribute{Optional: true, MarkdownDescription: s.description, Attributes: s.attributes.ephemeral()}
}

// withDefault is a resource's number made optional with a default, which makes it computed.
func withDefault(a rsschema.Int64Attribute, d defaults.Int64) rsschema.Int64Attribute {
	a.Optional, a.Computed, a.Default = true, true, d
	return a
}

// withValidators is a with more validators after its own.
func withValidators(a rsschema.StringAttribute, v ...validator.String) rsschema.StringAttribute {
	a.Validators = append(append([]validator.String{}, a.Validators...), v...)
	return a
}
