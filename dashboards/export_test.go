package dashboards

func init() {
	missingMessage = func(key string) { panic("dashboards: no message for key " + key) }
}
