this is not { HCL at all
  "x" = 
