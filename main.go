package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/provider"
)

// version is set by the release build (-X main.version=...).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	// The framework's server, with dbsql_query's rows encoded by the provider
	// (provider.NewServer); served as providerserver.Serve serves it.
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if err := tf6server.Serve("registry.terraform.io/dbsqlhq/dbsql", provider.NewServer(version), opts...); err != nil {
		log.Fatal(err.Error())
	}
}
