from cgconform.cli import main

raise SystemExit(main())
