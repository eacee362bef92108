package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// authFlags are the switches that give the emulated workspace OAuth
// principals besides its personal access token.
type authFlags struct {
	servicePrincipals servicePrincipalsFlag
	azure             azurePrincipalsFlag
	policies          policiesFlag
	tokenLifetime     time.Duration
}

func (a *authFlags) register(fs *flag.FlagSet) {
	fs.Var(&a.servicePrincipals, "service-principal",
		"add service principal `APPID:SECRET[:NAME]`, which gets OAuth tokens at /oidc/v1/token (oauth-m2m); repeatable;\nAPPID alone has no secret and signs in through a federation policy only")
	fs.Var(&a.azure, "azure-service-principal",
		"add Entra ID application `TENANT:CLIENTID:SECRET[:NAME]`, which gets tokens for the workspace at /TENANT/oauth2/v2.0/token\n(point AZURE_AUTHORITY_HOST at the emulator's URL); repeatable")
	fs.Var(&a.policies, "federation-policy",
		"trust an issuer's JWTs for token exchange (workload identity) with policy `issuer=URL,audience=AUD,subject=SUB,client-id=APPID,jwks=FILE`; repeatable;\n"+
			"audience may repeat; jwks-uri=URL instead of jwks=FILE, or neither to read the issuer's well-known keys; subject-claim=CLAIM (default sub);\n"+
			"without client-id it is an account policy whose token subject names the principal")
	fs.DurationVar(&a.tokenLifetime, "oauth-token-lifetime", time.Hour, "lifetime of OAuth access tokens, at least 1s (e.g. 3s to watch clients refresh)")
}

func (a *authFlags) check() error {
	if a.tokenLifetime < time.Second {
		return errors.New("-oauth-token-lifetime must be at least 1s")
	}
	return nil
}

func (a *authFlags) apply(o *emulator.Options) {
	o.ServicePrincipals = a.servicePrincipals
	o.AzureServicePrincipals = a.azure
	o.FederationPolicies = a.policies
	o.OAuthTokenLifetime = a.tokenLifetime
}

// announce prints where OAuth clients go. Secrets are never printed.
func (a *authFlags) announce(w io.Writer, url string) {
	if len(a.servicePrincipals) > 0 || len(a.policies) > 0 {
		ids := make([]string, len(a.servicePrincipals))
		for i, sp := range a.servicePrincipals {
			ids[i] = sp.ApplicationID
		}
		fmt.Fprintf(w, "  OAuth token endpoint %s/oidc/v1/token (service principals: %s; %d federation policies)\n", url, strings.Join(ids, ", "), len(a.policies))
	}
	if len(a.azure) > 0 {
		fmt.Fprintf(w, "  export AZURE_AUTHORITY_HOST=%s  # Entra ID stand-in for %d application(s)\n", url, len(a.azure))
	}
}

type servicePrincipalsFlag []emulator.ServicePrincipal

func (f *servicePrincipalsFlag) String() string { return "" }

func (f *servicePrincipalsFlag) Set(v string) error {
	parts := strings.SplitN(v, ":", 3)
	if parts[0] == "" {
		return errors.New("want APPID:SECRET[:NAME]")
	}
	sp := emulator.ServicePrincipal{ApplicationID: parts[0]}
	if len(parts) > 1 {
		sp.Secret = parts[1]
	}
	if len(parts) > 2 {
		sp.DisplayName = parts[2]
	}
	*f = append(*f, sp)
	return nil
}

type azurePrincipalsFlag []emulator.AzureServicePrincipal

func (f *azurePrincipalsFlag) String() string { return "" }

func (f *azurePrincipalsFlag) Set(v string) error {
	parts := strings.SplitN(v, ":", 4)
	if len(parts) < 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return errors.New("want TENANT:CLIENTID:SECRET[:NAME]")
	}
	az := emulator.AzureServicePrincipal{TenantID: parts[0], ClientID: parts[1], ClientSecret: parts[2]}
	if len(parts) > 3 {
		az.DisplayName = parts[3]
	}
	*f = append(*f, az)
	return nil
}

type policiesFlag []emulator.FederationPolicy

func (f *policiesFlag) String() string { return "" }

func (f *policiesFlag) Set(v string) error {
	var p emulator.FederationPolicy
	for _, field := range strings.Split(v, ",") {
		key, value, ok := strings.Cut(field, "=")
		if !ok || value == "" {
			return fmt.Errorf("%q is not key=value", field)
		}
		switch key {
		case "issuer":
			p.Issuer = value
		case "audience":
			p.Audiences = append(p.Audiences, value)
		case "subject":
			p.Subject = value
		case "subject-claim":
			p.SubjectClaim = value
		case "client-id":
			p.ServicePrincipal = value
		case "jwks-uri":
			p.JWKSURI = value
		case "jwks":
			raw, err := os.ReadFile(value)
			if err != nil {
				return err
			}
			p.JWKS = string(raw)
		default:
			return fmt.Errorf("unknown key %q (want issuer, audience, subject, subject-claim, client-id, jwks or jwks-uri)", key)
		}
	}
	if p.Issuer == "" || len(p.Audiences) == 0 {
		return errors.New("a policy needs issuer= and at least one audience=")
	}
	*f = append(*f, p)
	return nil
}
