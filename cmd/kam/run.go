package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) runCmd() *cobra.Command {
	var lang string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Ingest new files, build the marts and write the dashboards",
		Long: `run is ingest + build + render. Files that fail to load are reported and
the rest is still built and rendered (exit code 3); a failed data check stops
before rendering and keeps the previous marts (exit code 4).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.loadConfig()
			if err != nil {
				return err
			}
			_, ingestErr := a.ingest(cmd.Context(), c, nil, true)
			var ee *exitError
			if ingestErr != nil && !(errors.As(ingestErr, &ee) && ee.code == exitPartial) {
				return ingestErr
			}
			res, err := a.build(cmd.Context(), c, zeroTime, false)
			if err != nil {
				return err
			}
			if err := a.render(cmd.Context(), c, c.Resolve(c.Site), lang, res.AsOf); err != nil {
				return err
			}
			return ingestErr
		},
	}
	cmd.Flags().StringVar(&lang, "lang", "ru", "language of the pages: ru or en")
	return cmd
}
