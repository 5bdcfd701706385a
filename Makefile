# The verbs of the project. Scripts do the work; this file only names them.
.PHONY: demo test lint services-up services-down bench clock simulate-check chaos images

demo:            ## run the standalone platform (no servers needed)
	bash scripts/demo.sh $(ARGS)

test:            ## install everything, start Kafka + PostgreSQL, run the lint and pytest
	bash scripts/test.sh

lint:            ## ruff check + format check, mypy strict (sources and tests), shellcheck: what CI runs
	bash scripts/lint.sh

services-up:     ## start Kafka (KRaft) and PostgreSQL on loopback, idempotently
	bash scripts/services-up.sh

services-down:   ## stop only what services-up started
	bash scripts/services-down.sh

bench:
	bash scripts/bench.sh $(ARGS)

simulate-check:  ## Sơn La's 75 units, 10 minutes of simulated traffic, then no error and every commune on the dashboard
	bash scripts/demo.sh --check $(ARGS)

chaos:           ## the full fault campaign: kill -9, 5-minute broker outage, PostgreSQL outage; 0 lost, 0 twice
	bash scripts/chaos.sh $(ARGS)

images:          ## build the four service images (podman or docker; an offline Debian base when no registry answers)
	bash scripts/images.sh $(ARGS)
