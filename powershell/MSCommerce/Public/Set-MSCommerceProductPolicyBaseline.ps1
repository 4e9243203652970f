function Set-MSCommerceProductPolicyBaseline {
    <#
    .SYNOPSIS
        Brings every product (and optionally every offer type) to a desired policy value in one idempotent
        command.

    .DESCRIPTION
        Describes the desired state as one default value plus exceptions, reads the current values, and changes
        only the ones that differ:
        1. checks the input before any call: values must be Enabled, Disabled or OnlyTrialsWithoutPaymentMethod,
           and offer types accept only Enabled or Disabled;
        2. reads the products (GET .../products?scope=product) and, with -IncludeOfferTypes, the offer types
           (?scope=OfferType);
        3. maps exception IDs the listing does not show (old product IDs) to the current ones, and refuses IDs
           the service does not know;
        4. asks ShouldProcess for each value that differs, so -WhatIf prints the diff (each target, from which
           value to which) and changes nothing, and -Confirm asks for each one;
        5. sends the values agreed to in one request (PATCH /v1.0/policies/{policyId}/products): the service
           writes them in one transaction, all or none, audited with one correlation id, so a baseline is never
           half-applied. A refused entry (for example OnlyTrialsWithoutPaymentMethod for a product that has no
           such trials) refuses the whole request with a terminating error naming every bad entry, and nothing
           changes;
        6. writes one MSCommerce.BaselineChange object per change made.
        A service that does not offer the multi-value write (405, or 404 for the route) gets one PUT per value
        instead, after a warning; then a refused value is a non-terminating error and the others still change.
        Running it again right away changes nothing and writes nothing. Products that appear later start Enabled; run the command again
        (for example on a schedule) to bring them to the baseline.
        With -TenantId (one or many, or piped customers of Get-MSCommercePartnerCustomer), a partner applies the
        baseline to each customer in turn, with a token for that customer (see -TenantId): one transaction per
        customer, each change written with its TenantId, -WhatIf naming the customer in each line of the diff. A
        customer that fails (no active relationship, roles that do not write policy, a refused value) is a
        non-terminating error naming it and why; the others still get the baseline.

    .PARAMETER DefaultValue
        The value for every product without an exception, and for every offer type when -IncludeOfferTypes is
        given without -OfferTypeValue.

    .PARAMETER Exception
        Products (or, with -IncludeOfferTypes, offer types) that get another value, as a hashtable of ID to
        value, for example @{ 'CFQ7TTC0H9MP' = 'Enabled' }. IDs match case-insensitively; old product IDs are
        accepted.

    .PARAMETER IncludeOfferTypes
        Also brings the third-party offer types (SaaS, POWERBIVISUALS, DYNAMICSCE, DYNAMICSBC) to the baseline.

    .PARAMETER OfferTypeValue
        The value for offer types without an exception: Enabled or Disabled. Defaults to -DefaultValue.

    .PARAMETER PolicyId
        The policy. Defaults to AllowSelfServicePurchase.

    .PARAMETER TenantId
        Customers of the signed-in partner to apply the baseline to (tenant IDs or domain names; also bound from
        the TenantId property of piped objects, such as Get-MSCommercePartnerCustomer's). Each customer's token
        comes from its token endpoint through the connection's sign-in, while a delegated admin relationship with
        it is active; -TenantId therefore needs Connect-MSCommerce (not -Token).

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained. With -Token the command works
        without Connect-MSCommerce; the service address is then $env:MSCOMMERCE_URI, or http://localhost:8080.

    .PARAMETER WhatIf
        Lists the changes without making them.

    .PARAMETER Confirm
        Asks before each change.

    .EXAMPLE
        Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -WhatIf

        Shows which products would be disabled, one line per product, and changes nothing.

    .EXAMPLE
        Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -Exception @{ 'CFQ7TTC0H9MP' = 'Enabled' } -IncludeOfferTypes

        Disables self-service purchase for every product and offer type except Power BI Pro.

    .EXAMPLE
        Set-MSCommerceProductPolicyBaseline -DefaultValue 'Disabled' -Exception @{ 'CFQ7TTC0HDB1' = 'OnlyTrialsWithoutPaymentMethod' } | Format-Table -Property TargetName, OldValue, NewValue

        Disables every product, leaves free trials of Project Plan 1 (Planner Plan 1), and shows what changed.

    .EXAMPLE
        Import-PowerShellDataFile -Path './baseline.psd1' | ForEach-Object -Process { Set-MSCommerceProductPolicyBaseline @_ }

        Applies a baseline kept in a file such as @{ DefaultValue = 'Disabled'; Exception = @{ 'CFQ7TTC0H9MP' = 'Enabled' } }.

    .EXAMPLE
        Get-MSCommercePartnerCustomer -ActiveOnly | Set-MSCommerceProductPolicyBaseline -DefaultValue 'Enabled' -Exception @{ 'CFQ7TTC0MM8R' = 'Disabled' } -WhatIf

        As a partner, shows for each customer which values the baseline would change, and changes nothing.

    .INPUTS
        System.String. Customers' tenant IDs, by property name (TenantId).

    .OUTPUTS
        MSCommerce.BaselineChange. Properties: PolicyId, Scope, TargetId, TargetName, OldValue, NewValue, and
        TenantId with -TenantId.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('MSCommerce.BaselineChange')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateSet('Enabled', 'Disabled', 'OnlyTrialsWithoutPaymentMethod')]
        [string]$DefaultValue,

        [Parameter(Position = 1)]
        [System.Collections.IDictionary]$Exception,

        [Parameter()]
        [switch]$IncludeOfferTypes,

        [Parameter()]
        [ValidateSet('Enabled', 'Disabled')]
        [string]$OfferTypeValue,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$PolicyId = 'AllowSelfServicePurchase',

        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string[]]$TenantId,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    }

    process {
        # Without -TenantId: the connection's own organization, failures terminating as they always were. With it:
        # each customer in turn, a failure reported for that customer and the next one still served.
        $single = -not $PSBoundParameters.ContainsKey('TenantId')
        $tenants = @($null)
        if (-not $single) {
            $tenants = @($TenantId)
        }
        foreach ($tenant in $tenants) {
            $tenantToken = $Token
            $where = ''
            if (-not $single) {
                $where = "Organization '$tenant': "
                try {
                    $tenantToken = Get-MSCommerceTenantToken -TenantId $tenant
                }
                catch {
                    $PSCmdlet.WriteError($_)
                    continue
                }
            }

            $productValue = ConvertTo-MSCommercePolicyValue -Value $DefaultValue
            $offerTypeTarget = $productValue
            if ($PSBoundParameters.ContainsKey('OfferTypeValue')) {
                $offerTypeTarget = ConvertTo-MSCommercePolicyValue -Value $OfferTypeValue
            }
            $splatAssert = @{
                OfferTypeValue    = $offerTypeTarget
                IncludeOfferTypes = $IncludeOfferTypes
            }
            $splatRead = @{
                PolicyId    = $PolicyId
                Token       = $tenantToken
                ErrorAction = 'Stop'
            }
            try {
                # Everything that can be refused without the service is refused before the first request.
                $requested = ConvertTo-MSCommerceBaselineException -Exception $Exception
                Assert-MSCommerceBaselineOfferTypeValue -Exception $requested @splatAssert

                $current = @(Get-MSCommerceProductPolicies @splatRead)
                if ($IncludeOfferTypes) {
                    $current += @(Get-MSCommerceProductPolicies -Scope 'OfferType' @splatRead)
                }
                $splatResolve = @{
                    Exception   = $requested
                    CurrentItem = $current
                    PolicyId    = $PolicyId
                    Token       = $tenantToken
                }
                $exceptionMap = Resolve-MSCommerceBaselineException @splatResolve
                $offerTypeIds = @($current | ForEach-Object -Process { $_.ScopeId } | Where-Object -FilterScript { $_ })
                Assert-MSCommerceBaselineOfferTypeValue -Exception $exceptionMap -OfferTypeId $offerTypeIds @splatAssert

                $splatPlan = @{
                    CurrentItem    = $current
                    DefaultValue   = $productValue
                    OfferTypeValue = $offerTypeTarget
                    Exception      = $exceptionMap
                }
                $plan = @(Get-MSCommerceBaselinePlan @splatPlan)
            }
            catch {
                if ($single) {
                    $PSCmdlet.ThrowTerminatingError($_)
                }
                $PSCmdlet.WriteError($_)
                continue
            }
            Write-Verbose -Message ('{0} of {1} values differ from the baseline.' -f $plan.Count, $current.Count)

            # Every change is asked for on its own (-WhatIf lists each one as the diff: from what to what, and for
            # which organization with -TenantId), then those agreed to are sent together.
            $agreed = @()
            foreach ($change in $plan) {
                $kind = 'Product'
                if ($change.Scope -eq 'OfferType') {
                    $kind = 'Offer type'
                }
                $target = "{0}{1} '{2}' ({3})" -f $where, $kind, $change.TargetName, $change.TargetId
                $action = "Change $PolicyId from '$($change.OldValue)' to '$($change.NewValue)'"
                if ($PSCmdlet.ShouldProcess($target, $action)) {
                    $agreed += $change
                }
            }
            if ($agreed.Count -eq 0) {
                continue
            }

            $values = @(foreach ($change in $agreed) {
                    if ($change.Scope -eq 'OfferType') {
                        @{ offerType = $change.TargetId; policyValue = $change.NewValue }
                    }
                    else {
                        @{ productId = $change.TargetId; policyValue = $change.NewValue }
                    }
                })
            $splatTogether = @{
                Method        = 'PATCH'
                Path          = '/v1.0/policies/{policyId}/products'
                PathParameter = @{ policyId = $PolicyId }
                Body          = @{ values = $values }
                Token         = $tenantToken
                ErrorContext  = 'Failed to apply the policy baseline'
                TargetObject  = $PolicyId
            }
            try {
                $applied = Invoke-MSCommerceRestMethod @splatTogether
            }
            catch {
                # The ErrorRecord Invoke-MSCommerceRestMethod throws reaches this catch as it was made, its ErrorId the
                # service's errorCode (or HttpStatus<code> without one): ThrowTerminatingError records it as the
                # pipeline's failure and stops with a PipelineStoppedException, which method calls do not wrap
                # (PowerShell's engine/MshCommandRuntime.cs ThrowTerminatingError and ManageException,
                # engine/runtime/Operations/MiscOps.cs ConvertToMethodInvocationException), and the catch gets the
                # recorded record (MiscOps.cs FindMatchingHandler).
                $errorId = ([string]$_.FullyQualifiedErrorId).Split(',')[0]
                # A service without the multi-value write answers 405 for the method, or 404 for a route it does not
                # know: then each value is set by its own PUT, as before. Any other refusal (a bad entry, a stale value,
                # no permission) is the answer, and nothing was written.
                if (@('MethodNotAllowed', 'RouteNotFound', 'HttpStatus405', 'HttpStatus404') -notcontains $errorId) {
                    if ($single) {
                        $PSCmdlet.ThrowTerminatingError($_)
                    }
                    $PSCmdlet.WriteError($_)
                    continue
                }
                Write-Warning -Message ('The service does not set several values at once ({0}): setting {1} values one by one, each in its own transaction.' -f $errorId, $agreed.Count)
                foreach ($change in $agreed) {
                    Invoke-MSCommerceBaselineValue -PolicyId $PolicyId -Change $change -Token $tenantToken -Cmdlet $PSCmdlet
                }
                continue
            }
            Write-Verbose -Message ('Applied in one transaction, correlation id {0}.' -f $applied.correlationId)
            foreach ($outcome in @($applied.changed)) {
                $changed = [pscustomobject]@{
                    PSTypeName = 'MSCommerce.BaselineChange'
                    PolicyId   = $PolicyId
                    Scope      = $outcome.scope
                    TargetId   = $outcome.id
                    TargetName = $outcome.name
                    OldValue   = $outcome.previousValue
                    NewValue   = $outcome.policyValue
                }
                if (-not $single) {
                    $changed | Add-Member -MemberType NoteProperty -Name 'TenantId' -Value $tenant
                }
                $changed
            }
        }
    }
}
