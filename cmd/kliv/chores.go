package main

import (
	"context"
	"sync"
	"time"

	"kliv/forum"
)

// background runs the mail worker, the read-mark flushes and WAL
// checkpoints (every second) and the periodic chores until ctx ends. It
// returns when every one of them has stopped, so the database can close
// under none.
func (a *app) background(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(3)
	go func() {
		defer wg.Done()
		a.listenChanges(ctx)
	}()
	go func() {
		defer wg.Done()
		if err := a.mail.Run(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("mail worker stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				// Read marks and session extensions are written behind:
				// at most a second of them waits in memory.
				if _, err := a.store.FlushReads(ctx); err != nil && ctx.Err() == nil {
					a.log.Warn("flush read marks", "err", err)
				}
				if err := forum.Checkpoint(ctx, a.db); err != nil && ctx.Err() == nil {
					a.log.Warn("checkpoint", "err", err)
				}
			}
		}
	}()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		a.chores(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// chores are the periodic clean-ups and timed jobs, each a store method
// that does one round and says how much it did. A chore that queued mail
// wakes the mail worker.
func (a *app) chores(ctx context.Context) {
	if err := a.loadSiteSettings(ctx); err != nil && ctx.Err() == nil {
		a.log.Error("site settings", "err", err)
	}
	a.chore(ctx, "purge expired", false, func(ctx context.Context) (int, error) { return 0, a.store.PurgeExpired(ctx) })
	a.chore(ctx, "purge sent mail", false, func(ctx context.Context) (int, error) { return 0, a.store.PurgeSentMail(ctx) })
	a.chore(ctx, "bookmark reminders", false, a.store.SendDueReminders)
	a.chore(ctx, "lift suspensions", false, a.store.LiftExpiredSuspensions)
	a.chore(ctx, "digests", true, func(ctx context.Context) (int, error) { return a.store.SendDigests(ctx, a.store.Now()) })
	a.chore(ctx, "event waiting lists", false, a.store.PromoteWaitlists)
	a.chore(ctx, "event reminders", true, a.store.SendEventReminders)
	a.chore(ctx, "screening", true, a.mod.Chores)
	a.chore(ctx, "prune rate limits", false, a.pruneRateBuckets)
}

// chore runs one round of a chore and logs what it did or why it failed.
func (a *app) chore(ctx context.Context, name string, mails bool, run func(context.Context) (int, error)) {
	n, err := run(ctx)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Error("chore failed", "chore", name, "err", err)
		}
		return
	}
	if n > 0 {
		a.log.Info("chore done", "chore", name, "count", n)
		if mails {
			a.mail.Notify()
		}
	}
}
