from cgconform.cli.main import main

raise SystemExit(main())
