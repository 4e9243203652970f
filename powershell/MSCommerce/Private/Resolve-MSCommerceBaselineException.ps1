function Resolve-MSCommerceBaselineException {
    <#
    .SYNOPSIS
        Maps the IDs of the -Exception table to the IDs the service lists now.

    .DESCRIPTION
        An exception whose ID is among the current items is kept as it is. Any other ID may be an old product ID
        (from before Microsoft re-issued them): the service is asked for that product, and the exception moves to
        the current ID it answers with, unless the table already names the current ID itself. An ID the service
        does not know throws a terminating ErrorRecord 'ExceptionTargetNotFound' (category ObjectNotFound), so a
        typo never leaves a product at the default value unnoticed. Nothing is changed.

    .PARAMETER Exception
        The normalized exceptions.

    .PARAMETER CurrentItem
        The current MSCommerce.ProductPolicy and MSCommerce.OfferTypePolicy objects.

    .PARAMETER PolicyId
        The policy.

    .PARAMETER Token
        The -Token of the calling command.

    .EXAMPLE
        Resolve-MSCommerceBaselineException -Exception $map -CurrentItem $current -PolicyId 'AllowSelfServicePurchase'

        Returns the exceptions keyed by current IDs.

    .OUTPUTS
        System.Collections.Generic.Dictionary[string,string].
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Generic.Dictionary[string, string]])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [System.Collections.Generic.Dictionary[string, string]]$Exception,

        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [psobject[]]$CurrentItem,

        [Parameter(Mandatory)]
        [string]$PolicyId,

        [string]$Token
    )

    $comparer = [System.StringComparer]::OrdinalIgnoreCase
    $currentIds = New-Object -TypeName 'System.Collections.Generic.HashSet[string]' -ArgumentList $comparer
    foreach ($item in $CurrentItem) {
        foreach ($id in @($item.ProductId, $item.ScopeId)) {
            if (-not [string]::IsNullOrEmpty([string]$id)) {
                $null = $currentIds.Add([string]$id)
            }
        }
    }

    $resolved = New-Object -TypeName 'System.Collections.Generic.Dictionary[string,string]' -ArgumentList $comparer
    $unknown = New-Object -TypeName 'System.Collections.Generic.List[string]'
    foreach ($key in $Exception.Keys) {
        if ($currentIds.Contains($key)) {
            $resolved[$key] = $Exception[$key]
        }
        else {
            $unknown.Add($key)
        }
    }

    foreach ($key in $unknown) {
        $splatLookup = @{
            PolicyId    = $PolicyId
            ProductId   = $key
            Token       = $Token
            ErrorAction = 'Stop'
        }
        try {
            $product = Get-MSCommerceProductPolicy @splatLookup
        }
        catch {
            if ($_.CategoryInfo.Category -ne 'ObjectNotFound') {
                $PSCmdlet.ThrowTerminatingError($_)
            }
            $message = "The exception '$key' names no product of policy '$PolicyId' (offer types count only " +
            'with -IncludeOfferTypes).'
            $splatError = @{
                Message      = $message
                ErrorId      = 'ExceptionTargetNotFound'
                Category     = 'ObjectNotFound'
                TargetObject = $key
            }
            $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
        }
        if ($resolved.ContainsKey($product.ProductId)) {
            Write-Warning -Message "The exception '$key' is an old ID of '$($product.ProductId)', named too; it is ignored."
            continue
        }
        Write-Verbose -Message "The exception '$key' is product '$($product.ProductId)' ($($product.ProductName))."
        $resolved[$product.ProductId] = $Exception[$key]
    }
    return $resolved
}
