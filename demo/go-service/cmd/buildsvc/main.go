// Command buildsvc tracks CI builds: it stores them, serves them over HTTP,
// reports metrics to statsd and notifies a webhook when a build finishes.
package main

import (
	"database/sql"
	"flag"
	"log"
	"net/http"
	_ "net/http/pprof"
	"time"

	_ "github.com/lib/pq"

	"example.com/buildsvc/api"
	"example.com/buildsvc/artifacts"
	"example.com/buildsvc/metrics"
	"example.com/buildsvc/store"
	"example.com/buildsvc/webhook"
)

func main() {
	addr := flag.String("addr", ":8080", "HTTP listen address")
	dsn := flag.String("db", "postgres://buildsvc@localhost/builds?sslmode=disable", "PostgreSQL DSN")
	statsd := flag.String("statsd", "127.0.0.1:8125", "statsd agent address")
	hook := flag.String("webhook", "", "URL notified when a build finishes")
	token := flag.String("webhook-token", "", "bearer token for the webhook")
	logs := flag.String("logs", "/var/lib/buildsvc/logs", "directory of build logs")
	debug := flag.String("debug", ":6060", "pprof listen address, scraped by the profiling agent")
	flag.Parse()

	db, err := sql.Open("postgres", *dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(20)
	db.SetConnMaxLifetime(30 * time.Minute)
	db.SetConnMaxIdleTime(5 * time.Minute)

	m, err := metrics.New(*statsd, "buildsvc", 1)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	srv := &api.Server{
		Store:    store.New(db),
		Logs:     artifacts.NewDir(*logs),
		Metrics:  m,
		Notifier: webhook.NewNotifier(*hook, *token),
	}
	httpServer := &http.Server{
		Addr:              *addr,
		Handler:           srv.Routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
	}
	// pprof on its own port, so profiling never competes with the API routes.
	go func() {
		log.Println(http.ListenAndServe(*debug, nil))
	}()

	log.Printf("buildsvc listening on %s", *addr)
	if err := httpServer.ListenAndServe(); err != nil {
		log.Fatal(err)
	}
}
