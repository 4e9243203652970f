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
        4. sends one PUT per value that differs, each behind its own ShouldProcess, so -WhatIf lists exactly
           the changes it would make and -Confirm asks for each one;
        5. writes one MSCommerce.BaselineChange object per change made.
        Running it again right away changes nothing and writes nothing. A change the service refuses (for
        example OnlyTrialsWithoutPaymentMethod for a product that has no such trials) is a non-terminating error
        and the other changes still happen. Products that appear later start Enabled; run the command again
        (for example on a schedule) to bring them to the baseline.

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

    .INPUTS
        None.

    .OUTPUTS
        MSCommerce.BaselineChange. Properties: PolicyId, Scope, TargetId, TargetName, OldValue, NewValue.
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

        [Parameter()]
        [string]$Token
    )

    $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState

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
        Token       = $Token
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
            Token       = $Token
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
        $PSCmdlet.ThrowTerminatingError($_)
    }
    Write-Verbose -Message ('{0} of {1} values differ from the baseline.' -f $plan.Count, $current.Count)

    foreach ($change in $plan) {
        $kind = 'Product'
        if ($change.Scope -eq 'OfferType') {
            $kind = 'Offer type'
        }
        $target = "{0} '{1}' ({2})" -f $kind, $change.TargetName, $change.TargetId
        $action = "Change $PolicyId from '$($change.OldValue)' to '$($change.NewValue)'"
        if (-not $PSCmdlet.ShouldProcess($target, $action)) {
            continue
        }
        try {
            if ($change.Scope -eq 'OfferType') {
                $splatOfferType = @{
                    Method        = 'PUT'
                    Path          = '/v1.0/policies/{policyId}/offerTypes/{offerType}'
                    PathParameter = @{ policyId = $PolicyId; offerType = $change.TargetId }
                    Body          = @{ policyValue = $change.NewValue }
                    Token         = $Token
                    ErrorContext  = 'Failed to update product policy'
                    TargetObject  = $change.TargetId
                }
                $response = Invoke-MSCommerceRestMethod @splatOfferType
            }
            else {
                $splatProduct = @{
                    Method        = 'PUT'
                    Path          = '/v1.0/policies/{policyId}/products/{productId}'
                    PathParameter = @{ policyId = $PolicyId; productId = $change.TargetId }
                    Body          = @{ policyValue = $change.NewValue }
                    Token         = $Token
                    ErrorContext  = 'Failed to update product policy'
                    TargetObject  = $change.TargetId
                }
                $response = Invoke-MSCommerceRestMethod @splatProduct
            }
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
            continue
        }
        [pscustomobject]@{
            PSTypeName = 'MSCommerce.BaselineChange'
            PolicyId   = $PolicyId
            Scope      = $change.Scope
            TargetId   = $change.TargetId
            TargetName = $change.TargetName
            OldValue   = $change.OldValue
            NewValue   = [string]$response.policyValue
        }
    }
}
