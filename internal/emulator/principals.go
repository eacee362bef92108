package emulator

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"sync"
	"time"
)

// ServicePrincipal is a Databricks service principal of the workspace. It can
// get OAuth access tokens with its secret (oauth-m2m) or, through a
// FederationPolicy that names it, with a CI's identity token.
type ServicePrincipal struct {
	// ApplicationID is the OAuth client id and the SCIM userName.
	ApplicationID string
	// Secret is the OAuth secret; "" means the principal has none and can
	// only sign in through federation.
	Secret string
	// DisplayName defaults to the ApplicationID.
	DisplayName string
}

// AzureServicePrincipal is a Microsoft Entra ID application that is a member
// of the (Azure Databricks) workspace: the emulator's AAD token endpoint
// issues it tokens for the Azure Databricks resource, and the workspace API
// accepts them.
type AzureServicePrincipal struct {
	TenantID     string
	ClientID     string // the application (client) id, also its SCIM userName
	ClientSecret string
	DisplayName  string // defaults to the ClientID
}

// AzureDatabricksResourceID is the application id of Azure Databricks in
// Entra ID: tokens for the workspace are requested with scope
// "<id>/.default" (v2.0) or resource "<id>" (v1.0).
const AzureDatabricksResourceID = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"

// defaultOAuthTokenLifetime is the lifetime Databricks gives OAuth access
// tokens.
const defaultOAuthTokenLifetime = time.Hour

// principalSet holds who can sign in besides the workspace user. Tests add to
// it while the emulator runs, hence the lock.
type principalSet struct {
	mu       sync.Mutex
	sps      map[string]ServicePrincipal      // by application id
	azure    map[string]AzureServicePrincipal // by tenant id + "/" + client id
	policies []*federationPolicy
}

func newPrincipalSet(o Options) (*principalSet, error) {
	p := &principalSet{sps: map[string]ServicePrincipal{}, azure: map[string]AzureServicePrincipal{}}
	for _, sp := range o.ServicePrincipals {
		if err := p.addServicePrincipal(sp); err != nil {
			return nil, err
		}
	}
	for _, az := range o.AzureServicePrincipals {
		if err := p.addAzure(az); err != nil {
			return nil, err
		}
	}
	for _, fp := range o.FederationPolicies {
		if err := p.addPolicy(fp); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *principalSet) addServicePrincipal(sp ServicePrincipal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if sp.ApplicationID == "" {
		return fmt.Errorf("emulator: a service principal has no ApplicationID")
	}
	if _, dup := p.sps[sp.ApplicationID]; dup {
		return fmt.Errorf("emulator: service principal %s is listed twice", sp.ApplicationID)
	}
	if sp.DisplayName == "" {
		sp.DisplayName = sp.ApplicationID
	}
	p.sps[sp.ApplicationID] = sp
	return nil
}

func (p *principalSet) addAzure(az AzureServicePrincipal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if az.TenantID == "" || az.ClientID == "" || az.ClientSecret == "" {
		return fmt.Errorf("emulator: an Azure service principal needs TenantID, ClientID and ClientSecret")
	}
	key := az.TenantID + "/" + az.ClientID
	if _, dup := p.azure[key]; dup {
		return fmt.Errorf("emulator: Azure service principal %s is listed twice in tenant %s", az.ClientID, az.TenantID)
	}
	if az.DisplayName == "" {
		az.DisplayName = az.ClientID
	}
	p.azure[key] = az
	return nil
}

func (p *principalSet) servicePrincipal(appID string) (ServicePrincipal, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sp, ok := p.sps[appID]
	return sp, ok
}

func (p *principalSet) azurePrincipal(tenant, clientID string) (AzureServicePrincipal, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	az, ok := p.azure[tenant+"/"+clientID]
	return az, ok
}

func (p *principalSet) knownTenant(tenant string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, az := range p.azure {
		if az.TenantID == tenant {
			return true
		}
	}
	return false
}

// displayName returns the display name of a service principal known by its
// application id, Databricks or Azure.
func (p *principalSet) displayName(appID string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if sp, ok := p.sps[appID]; ok {
		return sp.DisplayName, true
	}
	for _, az := range p.azure {
		if az.ClientID == appID {
			return az.DisplayName, true
		}
	}
	return "", false
}

// AddServicePrincipal makes another service principal known from now on.
func (e *Emulator) AddServicePrincipal(sp ServicePrincipal) error {
	return e.principals.addServicePrincipal(sp)
}

// AddFederationPolicy trusts another issuer from now on. Tests that want the
// default audience of the Databricks SDKs (the token endpoint's URL) add their
// policy once the server's URL is known.
func (e *Emulator) AddFederationPolicy(fp FederationPolicy) error {
	return e.principals.addPolicy(fp)
}

// principalName is what the request log and error messages call a principal:
// "" (the workspace user) is its user name, anyone else their application id.
func (e *Emulator) principalName(principal string) string {
	if principal == "" {
		return e.opts.UserName
	}
	return principal
}

// scimID gives a service principal a stable numeric SCIM id, as Databricks
// ids are numbers distinct from the application id.
func scimID(appID string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(appID))
	return strconv.FormatUint(h.Sum64()%9e15+1e15, 10)
}
