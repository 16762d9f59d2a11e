// Package smcct is the module's root. It holds no code: its test enforces the import
// layering the README's Layout section describes (which package may import which), the way
// Kubernetes' import restrictions do, so a wrong-way import fails `make test`.
package smcct
