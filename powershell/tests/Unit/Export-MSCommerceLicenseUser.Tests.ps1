BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Export-MSCommerceLicenseUser' {
    BeforeEach {
        # Writes what the service streams: the header, then one row per requested subscription (or one row).
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            $lines = @('displayName,userPrincipalName,productName,subscriptionId,purchaser,assignedAt')
            $ids = @($Body.subscriptionIds)
            if ($null -eq $Body.subscriptionIds) {
                $ids = @('all')
            }
            foreach ($id in $ids) {
                $lines += "Bob,bob@contoso.onmicrosoft.com,Power BI Pro,$id,ann@contoso.onmicrosoft.com,2026-11-25T06:31:00.000Z"
            }
            [System.IO.File]::WriteAllText($OutFile, (($lines -join "`r`n") + "`r`n"))
        }
        $script:path = Join-Path -Path $TestDrive -ChildPath ('users-{0}.csv' -f [guid]::NewGuid().ToString('N'))
    }

    Context 'Requests' {
        It 'Should send the piped subscription IDs in one request and stream the answer to the file' {
            $file = @([pscustomobject]@{ SubscriptionId = 'a' }, [pscustomobject]@{ SubscriptionId = 'b' }) | Export-MSCommerceLicenseUser -Path $path
            $file | Should -BeOfType [System.IO.FileInfo]
            $file.FullName | Should -Be $path
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'POST' -and $Path -eq '/v1.0/subscriptions/exportUsers' -and $OutFile -and ($Body.subscriptionIds -join ',') -eq 'a,b'
            }
            $rows = @(Import-Csv -LiteralPath $path)
            @($rows | ForEach-Object -Process { $_.subscriptionId }) | Should -Be @('a', 'b')
        }

        It 'Should take several IDs from -SubscriptionId' {
            $null = Export-MSCommerceLicenseUser -SubscriptionId 'a', 'b', 'c' -Path $path
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                ($Body.subscriptionIds -join ',') -eq 'a,b,c'
            }
        }

        It 'Should send each subscription once, however often it comes' {
            $holders = @(
                [pscustomobject]@{ UserPrincipalName = 'bob@contoso.onmicrosoft.com'; SubscriptionId = 's1' }
                [pscustomobject]@{ UserPrincipalName = 'cy@contoso.onmicrosoft.com'; SubscriptionId = 's1' }
                [pscustomobject]@{ UserPrincipalName = 'eve@contoso.onmicrosoft.com'; SubscriptionId = 'S1' }
                [pscustomobject]@{ UserPrincipalName = 'fay@contoso.onmicrosoft.com'; SubscriptionId = 's2' }
            )
            $null = $holders | Export-MSCommerceLicenseUser -Path $path
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                ($Body.subscriptionIds -join ',') -eq 's1,s2'
            }
        }

        It 'Should export every self-service subscription without -SubscriptionId and without pipeline input' {
            $null = Export-MSCommerceLicenseUser -Path $path
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Body.Count -eq 0 -and -not $Body.ContainsKey('subscriptionIds')
            }
            @(Import-Csv -LiteralPath $path).Count | Should -Be 1
        }

        It 'Should send 1000 IDs per request and join the answers into one file with one header' {
            $ids = @(1..2500 | ForEach-Object -Process { 'sub-{0:D4}' -f $_ })
            $file = $ids | ForEach-Object -Process { [pscustomobject]@{ SubscriptionId = $_ } } | Export-MSCommerceLicenseUser -Path $path
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 3 -Exactly
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter { @($Body.subscriptionIds).Count -eq 1000 }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                @($Body.subscriptionIds).Count -eq 500 -and $Body.subscriptionIds[0] -eq 'sub-2001'
            }
            $rows = @(Import-Csv -LiteralPath $file.FullName)
            $rows.Count | Should -Be 2500
            $rows[0].subscriptionId | Should -Be 'sub-0001'
            $rows[2499].subscriptionId | Should -Be 'sub-2500'
            @(Get-Content -LiteralPath $path | Where-Object -FilterScript { $_ -like 'displayName,*' }).Count | Should -Be 1
            @(Get-ChildItem -LiteralPath $TestDrive -Force | Where-Object -FilterScript { $_.Name -like '.*' }).Count | Should -Be 0
        }

        It 'Should pass -Token through' {
            $null = Export-MSCommerceLicenseUser -Path $path -Token 'raw-jwt'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq 'raw-jwt' }
        }
    }

    Context 'An empty selection' {
        It 'Should export nothing when the pipeline brings no subscription' {
            $kept = @() | Export-MSCommerceLicenseUser -Path $path -WarningVariable warnings -WarningAction SilentlyContinue
            $kept | Should -BeNullOrEmpty
            $warnings.Count | Should -Be 1
            $path | Should -Not -Exist
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should export nothing when a filter upstream keeps nothing' {
            $null = @([pscustomobject]@{ SubscriptionId = 'a'; AssignedCount = 1 }) |
                Where-Object -Property AssignedCount -EQ 0 |
                Export-MSCommerceLicenseUser -Path $path -WarningAction SilentlyContinue
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should export nothing for an empty -SubscriptionId' {
            $none = @()
            $null = Export-MSCommerceLicenseUser -Path $path -SubscriptionId $none -WarningAction SilentlyContinue
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }
    }

    Context 'Files' {
        It 'Should not touch an existing file without -Force, nor call the service' {
            Set-Content -LiteralPath $path -Value 'keep me'
            Export-MSCommerceLicenseUser -Path $path -ErrorAction SilentlyContinue -ErrorVariable failures
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'FileExists*'
            $failures[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            Get-Content -LiteralPath $path | Should -Be 'keep me'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should replace an existing file with -Force' {
            Set-Content -LiteralPath $path -Value 'old'
            $null = Export-MSCommerceLicenseUser -Path $path -Force
            (Get-Content -LiteralPath $path)[0] | Should -BeLike 'displayName,*'
        }

        It 'Should refuse a folder that does not exist before any call' {
            $missing = Join-Path -Path $TestDrive -ChildPath 'no-such-folder/users.csv'
            Export-MSCommerceLicenseUser -Path $missing -ErrorAction SilentlyContinue -ErrorVariable failures
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'FolderNotFound*'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should leave an existing file and no partial file behind when the service refuses' {
            Set-Content -LiteralPath $path -Value 'keep me'
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'SubscriptionNotFound' -Category 'ObjectNotFound')
            }
            $null = Export-MSCommerceLicenseUser -SubscriptionId 'gone' -Path $path -Force -ErrorAction SilentlyContinue -ErrorVariable failures
            $failures[0].FullyQualifiedErrorId | Should -BeLike 'SubscriptionNotFound*'
            Get-Content -LiteralPath $path | Should -Be 'keep me'
            @(Get-ChildItem -LiteralPath $TestDrive -Force | Where-Object -FilterScript { $_.Name -like '.*' }).Count | Should -Be 0
        }

        It 'Should resolve a relative -Path against the current location' {
            Push-Location -LiteralPath $TestDrive
            try {
                $file = Export-MSCommerceLicenseUser -Path 'relative.csv'
                $file.FullName | Should -Be (Join-Path -Path $TestDrive -ChildPath 'relative.csv')
            }
            finally {
                Pop-Location
            }
        }
    }

    Context '-WhatIf' {
        It 'Should make no call and write no file with -WhatIf' {
            Export-MSCommerceLicenseUser -Path $path -WhatIf
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
            $path | Should -Not -Exist
        }

        It 'Should make no call for piped subscriptions with -WhatIf' {
            @([pscustomobject]@{ SubscriptionId = 'a' }) | Export-MSCommerceLicenseUser -Path $path -WhatIf
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }
    }

    Context 'Parameters' {
        BeforeAll {
            $script:command = Get-Command -Name 'Export-MSCommerceLicenseUser' -Module 'MSCommerce'
        }

        It 'Should take -Path at position 0, mandatory' {
            $metadata = $command.Parameters['Path'].ParameterSets['__AllParameterSets']
            $metadata.IsMandatory | Should -BeTrue
            $metadata.Position | Should -Be 0
        }

        It 'Should bind -SubscriptionId (several) from the pipeline by property name' {
            $command.Parameters['SubscriptionId'].ParameterType | Should -Be ([string[]])
            $command.Parameters['SubscriptionId'].ParameterSets['__AllParameterSets'].ValueFromPipelineByPropertyName | Should -BeTrue
        }

        It 'Should support -WhatIf and -Confirm' {
            $command.Parameters.Keys | Should -Contain 'WhatIf'
            $command.Parameters.Keys | Should -Contain 'Confirm'
        }
    }
}
