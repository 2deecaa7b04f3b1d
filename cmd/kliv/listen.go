package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"kliv/forum"
)

// listenChanges keeps this process's copies right when another process
// on the same PostgreSQL database changes them: it LISTENs on one
// connection of its own and reloads what a NOTIFY names (see
// forum/multiproc.go). A lost connection is made again after a second,
// and the copies are reloaded then, as a notice may have been missed.
// It returns when ctx ends; on SQLite it returns at once.
func (a *app) listenChanges(ctx context.Context) {
	if !forum.IsPG(a.db) {
		return
	}
	for ctx.Err() == nil {
		err := a.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		a.log.Warn("listening for changes by other processes", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (a *app) listenOnce(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, a.cfg.DB)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+forum.ChannelSiteSettings); err != nil {
		return err
	}
	// Whatever changed while no one listened.
	if err := a.loadSiteSettings(ctx); err != nil {
		return err
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Channel == forum.ChannelSiteSettings {
			if err := a.loadSiteSettings(ctx); err != nil {
				return err
			}
		}
	}
}
