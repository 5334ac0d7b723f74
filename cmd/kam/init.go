package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kam-analytics/kam/cmd/kam/internal/config"
)

func (a *app) initCmd() *cobra.Command {
	var company config.Company
	cmd := &cobra.Command{
		Use:   "init DIR",
		Short: "Create DIR/kam.yaml, inbox folders for every entity and an example compensation.yaml",
		Long: `init prepares a folder for your own data: DIR/kam.yaml with one source per
canonical entity reading inbox/<entity>/*.csv in the canonical CSV format (see
docs/data-contract.md; no mapping needed), the inbox folders, and a commented
example compensation.yaml. It never overwrites an existing kam.yaml.`,
		Example: "  kam init acme && cp orders.csv acme/inbox/order_lines/ && kam --config acme/kam.yaml run",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			created, err := config.Init(args[0], company)
			if err != nil {
				return err
			}
			for _, p := range created {
				fmt.Fprintf(a.stdout, "created %s\n", p)
			}
			fmt.Fprintf(a.stdout, "next: put canonical CSV files into %s/inbox/<entity>/ and run `kam --config %s/kam.yaml run`\n", args[0], args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&company.Name, "company", "", "company name written into kam.yaml")
	cmd.Flags().StringVar(&company.INN, "inn", "", "company INN (tells incoming bank payments from outgoing ones)")
	return cmd
}
