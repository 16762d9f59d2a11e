package spec

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed smc-2019-06-01.yaml ebs-2021-07-30.yaml sts-2015-04-01.yaml gateway.yaml
var files embed.FS

// Documents lists the embedded OpenAPI documents of the contract, one per product.
var Documents = []string{"smc-2019-06-01.yaml", "ebs-2021-07-30.yaml"}

// AuxiliaryDocuments are services the products lean on and the reference serves beside them
// (STS, which issues the temporary credentials SDKs call the products with). They are
// written in the same grammar and routed by Version like the products, but they are not
// the contract under test: Products and Actions leave them out.
var AuxiliaryDocuments = []string{"sts-2015-04-01.yaml"}

// Catalog is every product and action of the contract, and the auxiliary services.
type Catalog struct {
	Gateway   *Gateway
	products  []*Product
	auxiliary []*Product
	byVersion map[string]*Product
	byName    map[string]*Product
}

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
	defaultErr  error
)

// Default returns the catalog of the embedded documents, loaded once per process.
func Default() (*Catalog, error) {
	defaultOnce.Do(func() { defaultCat, defaultErr = Load() })
	return defaultCat, defaultErr
}

// MustDefault is Default for callers that cannot go on without the contract.
func MustDefault() *Catalog {
	c, err := Default()
	if err != nil {
		panic(err)
	}
	return c
}

var (
	gatewayOnce sync.Once
	gatewayVal  *Gateway
	gatewayErr  error
)

// sharedGateway is the embedded gateway.yaml, parsed once: every product sits behind it.
func sharedGateway() (*Gateway, error) {
	gatewayOnce.Do(func() { gatewayVal, gatewayErr = loadGateway() })
	return gatewayVal, gatewayErr
}

// Load reads, validates and indexes the embedded documents.
func Load() (*Catalog, error) {
	gw, err := sharedGateway()
	if err != nil {
		return nil, err
	}
	c := &Catalog{Gateway: gw, byVersion: map[string]*Product{}, byName: map[string]*Product{}}
	for _, list := range []struct {
		names []string
		into  *[]*Product
	}{{Documents, &c.products}, {AuxiliaryDocuments, &c.auxiliary}} {
		for _, name := range list.names {
			data, err := files.ReadFile(name)
			if err != nil {
				return nil, err
			}
			p, err := LoadProduct(data)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if _, dup := c.byVersion[p.Version]; dup {
				return nil, fmt.Errorf("%s: version %s is served twice", name, p.Version)
			}
			*list.into = append(*list.into, p)
			c.byVersion[p.Version] = p
			c.byName[p.Name] = p
		}
	}
	return c, nil
}

// Products returns the products of the contract in document order (smc, then ebs).
func (c *Catalog) Products() []*Product { return c.products }

// Auxiliary returns the auxiliary services (sts), which ByVersion, ByName and Lookup also find.
func (c *Catalog) Auxiliary() []*Product { return c.auxiliary }

// ByVersion returns the product served under an API Version, e.g. "2019-06-01".
func (c *Catalog) ByVersion(version string) (*Product, bool) {
	p, ok := c.byVersion[version]
	return p, ok
}

// ByName returns a product by its code, "smc" or "ebs".
func (c *Catalog) ByName(name string) (*Product, bool) {
	p, ok := c.byName[name]
	return p, ok
}

// Lookup finds an action by API version and name.
func (c *Catalog) Lookup(version, action string) (*Action, bool) {
	p, ok := c.byVersion[version]
	if !ok {
		return nil, false
	}
	return p.Action(action)
}

// Actions returns every action, product by product, sorted by name within a product.
func (c *Catalog) Actions() []*Action {
	var out []*Action
	for _, p := range c.products {
		out = append(out, p.Actions()...)
	}
	return out
}

// LoadProduct loads and validates one OpenAPI document and builds its actions. The product
// sits behind the embedded gateway (common parameters, gateway error codes).
func LoadProduct(data []byte) (*Product, error) {
	gw, err := sharedGateway()
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	p := &Product{Doc: doc, Source: data, Version: doc.Info.Version, Gateway: gw, actions: map[string]*Action{}}
	if err := p.readInfo(doc.Info.Extensions); err != nil {
		return nil, err
	}
	for path, item := range doc.Paths.Map() {
		a, err := buildAction(p, path, item)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if _, dup := p.actions[a.Name]; dup {
			return nil, fmt.Errorf("%s: action %s described twice", path, a.Name)
		}
		p.actions[a.Name] = a
		p.names = append(p.names, a.Name)
	}
	sort.Strings(p.names)
	if err := p.checkLifecycles(); err != nil {
		return nil, err
	}
	if err := p.checkSemantics(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Product) readInfo(ext map[string]any) error {
	var info struct {
		Product   string             `json:"x-acs-product"`
		Host      string             `json:"x-acs-host"`
		Regional  string             `json:"x-acs-regional-host"`
		Gateway   GatewayFamilies    `json:"x-acs-gateway"`
		Separator string             `json:"x-acs-list-separator"`
		Objects   map[string]*Object `json:"x-acs-objects"`
		Choices   []Choice           `json:"x-acs-choices"`
		Auth      *Authorization     `json:"x-acs-authorization"`
	}
	if err := remarshal(ext, &info); err != nil {
		return fmt.Errorf("info extensions: %w", err)
	}
	if info.Product == "" || info.Host == "" {
		return fmt.Errorf("info: x-acs-product and x-acs-host are required")
	}
	if info.Gateway.Missing.Code == "" || info.Gateway.Invalid.Code == "" {
		return fmt.Errorf("info: x-acs-gateway needs missing and invalid families")
	}
	p.Name, p.Host, p.Families, p.Choices = info.Product, info.Host, info.Gateway, info.Choices
	for _, ch := range p.Choices {
		for _, c := range ch.Covers {
			if err := c.check(); err != nil {
				return fmt.Errorf("x-acs-choices %q: %w", ch.Topic, err)
			}
		}
	}
	p.RegionalHost = info.Regional
	if p.RegionalHost != "" && !strings.Contains(p.RegionalHost, "{RegionId}") {
		return fmt.Errorf("info: x-acs-regional-host needs a {RegionId} placeholder")
	}
	p.ListSeparator = info.Separator
	if p.ListSeparator == "" {
		p.ListSeparator = ", "
	}
	p.Objects, p.Authorization = info.Objects, info.Auth
	if err := p.checkAuthorization(); err != nil {
		return err
	}
	for kind, o := range p.Objects {
		o.Kind = kind
		if o.IDParam == "" || o.NotFound == "" {
			return fmt.Errorf("x-acs-objects.%s: idParam and notFound are required", kind)
		}
	}
	return nil
}

// checkLifecycles validates every kind's lifecycle once all actions are known.
func (p *Product) checkLifecycles() error {
	var problems []string
	for _, kind := range p.Kinds() {
		o := p.Objects[kind]
		if o.Lifecycle == nil {
			continue
		}
		for _, msg := range o.Lifecycle.check(p, o) {
			problems = append(problems, fmt.Sprintf("x-acs-objects.%s.lifecycle: %s", kind, msg))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// remarshal copies decoded extension values into a typed struct through JSON.
func remarshal(in any, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
